import Testing

@testable import pmd

@Suite("EtcdClient against real etcds: endpoints and timeouts")
struct EtcdFailoverTests {
    @Test func aDeadEndpointFirstInTheListIsPassedOver() async throws {
        try await withEtcd { etcd in
            let dead = "http://127.0.0.1:\(try freeLoopbackPort())"
            let client = EtcdClient(endpoints: [dead, etcd.clientURL])
            try await client.put("/pmd/x", [1])
            #expect(client.preferredEndpoint == etcd.clientURL)
            #expect(try await client.get("/pmd/x")?.value == [1])

            let recorder = WatchRecorder()
            let watching = EtcdClient(endpoints: [dead, etcd.clientURL])
            _ = recorder.watch(watching, prefix: "/pmd/", fromRevision: 1)
            #expect(await eventually { recorder.events.count == 1 })
            #expect(recorder.ends.isEmpty)
            #expect(watching.preferredEndpoint == etcd.clientURL)
            await watching.shutdown()
            await client.shutdown()
        }
    }

    @Test func theClientMovesToTheSecondEtcdWhenTheFirstIsKilled() async throws {
        try await withEtcd { first in
            try await withEtcd { second in
                // Two independent one-member clusters: which store answers shows which endpoint did.
                let client = EtcdClient(endpoints: [first.clientURL, second.clientURL])
                try await client.put("/pmd/where", Array("first".utf8))
                #expect(client.preferredEndpoint == first.clientURL)

                await first.kill()
                #expect(try await client.get("/pmd/where") == nil)
                #expect(client.preferredEndpoint == second.clientURL)
                try await client.put("/pmd/where", Array("second".utf8))
                #expect(try await client.get("/pmd/where")?.value == Array("second".utf8))
                await client.shutdown()
            }
        }
    }

    @Test func aHungEtcdCostsItsShareOfTheTimeoutAndTheNextOneAnswers() async throws {
        try await withEtcd { hung in
            try await withEtcd { live in
                let timeout = Duration.seconds(1)
                let client = EtcdClient(endpoints: [hung.clientURL, live.clientURL], requestTimeout: timeout)
                try await client.put("/pmd/where", Array("hung".utf8))
                #expect(client.preferredEndpoint == hung.clientURL)

                hung.pause()  // the kernel still accepts connections; etcd never answers
                let start = ContinuousClock.now
                let answer = await outcome { () async throws(EtcdError) in try await client.get("/pmd/where") }
                let elapsed = ContinuousClock.now - start
                hung.resume()
                #expect(try answer.get() == nil)  // the live etcd's store, where the key never was
                #expect(elapsed >= timeout / 2 - .milliseconds(50), "the hung endpoint was given its share: \(elapsed)")
                #expect(elapsed < timeout * 3)
                #expect(client.preferredEndpoint == live.clientURL)
                await client.shutdown()
            }
        }
    }

    @Test func callsToAHungOrStoppedEtcdFailWithinTheTimeout() async throws {
        try await withEtcd { etcd in
            let timeout = Duration.milliseconds(500)
            let client = EtcdClient(endpoints: [etcd.clientURL], requestTimeout: timeout)
            let lease = try await client.grantLease(ttlSeconds: 3)

            etcd.pause()
            var start = ContinuousClock.now
            let hungAnswer = await outcome { () async throws(EtcdError) in try await client.keepAlive(lease.id) }
            var elapsed = ContinuousClock.now - start
            etcd.resume()
            #expect(throws: EtcdError.self) { try hungAnswer.get() }
            #expect(elapsed >= timeout - .milliseconds(50) && elapsed < timeout * 3, "a hung etcd: \(elapsed)")

            await etcd.kill()
            start = ContinuousClock.now
            do throws(EtcdError) {
                _ = try await client.get("/pmd/x")
                Issue.record("a call to a killed etcd succeeded")
            } catch {
                #expect(error.kind == .unreachable)
                #expect(error.description.contains(etcd.clientURL))
            }
            elapsed = ContinuousClock.now - start
            #expect(elapsed < timeout * 3, "a stopped etcd: \(elapsed)")
            await client.shutdown()
        }
    }
}

@Suite("EtcdClient against a real three-member etcd cluster")
struct EtcdQuorumTests {
    @Test func aMemberWithoutALeaderRefusesAtOnceAndEndsItsWatches() async throws {
        try await withEtcdCluster(size: 3) { members in
            let timeout = Duration.seconds(2)
            let lonely = EtcdClient(endpoints: [members[0].clientURL], requestTimeout: timeout)
            try await lonely.put("/pmd/x", [1])
            let recorder = WatchRecorder()
            _ = recorder.watch(lonely, prefix: "/pmd/", fromRevision: 1)
            #expect(await eventually { recorder.events.count == 1 })

            await members[1].kill()
            await members[2].kill()
            // Without `hasleader` the member would sit on each request until etcd's own ~7 s
            // timeout (longer than the client's); with it, once the member notices its leader is
            // gone, it refuses at once and ends the watch.
            #expect(await eventually(timeout: .seconds(15)) { !recorder.ends.isEmpty })
            #expect(recorder.ends.first??.kind == .server(code: EtcdError.unavailableCode))
            let start = ContinuousClock.now
            let answer = await outcome { () async throws(EtcdError) in try await lonely.get("/pmd/x") }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < timeout / 2, "refused, not timed out: \(elapsed)")
            guard case .failure(let error) = answer else {
                Issue.record("a member without a leader answered: \(answer)")
                return
            }
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("no leader"))
            await lonely.shutdown()
        }
    }
}
