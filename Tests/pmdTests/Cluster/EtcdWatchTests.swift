import Testing

@testable import pmd

@Suite("EtcdClient against a real etcd: watches")
struct EtcdWatchTests {
    @Test func aWatchSeesPutsAndDeletesUnderItsPrefixInOrderFromItsRevision() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            try await client.put("/pmd/c/nodes/old", [0])  // before the watch's revision: not seen
            let first = try await client.put("/pmd/c/nodes/a", [1])  // at it: seen
            let recorder = WatchRecorder()
            let watch = recorder.watch(client, prefix: "/pmd/c/nodes/", fromRevision: first)
            try await client.put("/pmd/c/other", [9])
            let second = try await client.put("/pmd/c/nodes/b", [2, 0, 255])
            let third = try await client.put("/pmd/c/nodes/a", [3])
            try await client.delete("/pmd/c/nodes/b")
            let deleted = try await client.getPrefix("/pmd/c/").revision

            #expect(await eventually { recorder.events.count >= 4 })
            #expect(
                recorder.events == [
                    .put(EtcdKeyValue(key: "/pmd/c/nodes/a", value: [1], createRevision: first, modRevision: first, version: 1, lease: 0)),
                    .put(
                        EtcdKeyValue(
                            key: "/pmd/c/nodes/b", value: [2, 0, 255], createRevision: second, modRevision: second, version: 1, lease: 0)),
                    .put(EtcdKeyValue(key: "/pmd/c/nodes/a", value: [3], createRevision: first, modRevision: third, version: 2, lease: 0)),
                    .delete(key: "/pmd/c/nodes/b", modRevision: deleted),
                ])
            #expect(client.watches.count == 1)

            let cancelled = ContinuousClock.now
            watch.cancel()
            await watch.ended()
            #expect(ContinuousClock.now - cancelled < .milliseconds(500))
            #expect(recorder.ends.count == 1)
            #expect(recorder.ends.first == .some(nil))
            try await client.put("/pmd/c/nodes/late", [4])
            try await Task.sleep(for: .milliseconds(200))
            #expect(recorder.events.count == 4)
            #expect(client.watches.count == 0)
            await client.shutdown()
        }
    }

    @Test func aWatchEndsWithAnErrorWhenEtcdGoesAway() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let recorder = WatchRecorder()
            let watch = recorder.watch(client, prefix: "/pmd/", fromRevision: 1)
            try await client.put("/pmd/x", [1])
            #expect(await eventually { recorder.events.count == 1 })
            await etcd.kill()
            #expect(await eventually { !recorder.ends.isEmpty })
            let end = try #require(recorder.ends.first)
            #expect(end?.kind == .unreachable)
            await watch.ended()
            #expect(recorder.ends.count == 1)
            await client.shutdown()
        }
    }

    @Test func aWatchOfACompactedRevisionEndsWithTheRevisionToReadFrom() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            try await client.put("/pmd/x", [1])
            let revision = try await client.put("/pmd/x", [2])
            // Compaction is an operator's tool, not the client's: ask the gateway directly.
            let compaction = await httpPost(etcd, path: "/v3/kv/compaction", body: #"{"revision":"\#(revision)"}"#)
            #expect(compaction?.contains("header") == true)
            let recorder = WatchRecorder()
            _ = recorder.watch(client, prefix: "/pmd/", fromRevision: 1)
            #expect(await eventually { !recorder.ends.isEmpty })
            #expect(recorder.ends.first??.kind == .compacted(revision: revision))
            #expect(recorder.events.isEmpty)
            await client.shutdown()
        }
    }

    @Test func shutdownEndsRunningWatches() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let recorders = [WatchRecorder(), WatchRecorder()]
            for recorder in recorders { _ = recorder.watch(client, prefix: "/pmd/", fromRevision: 1) }
            try await client.put("/pmd/x", [1])
            #expect(await eventually { recorders.allSatisfy { $0.events.count == 1 } })
            await client.shutdown()
            #expect(recorders.allSatisfy { $0.ends.count == 1 && $0.ends[0] == nil })
            #expect(client.watches.count == 0)
        }
    }
}
