import Testing

@testable import pmd

@Suite("EtcdClient against a real etcd: leases")
struct EtcdLeaseTests {
    // TTLs here leave room for a test task that waits a while for a thread: the tests share the
    // machine, and a lease must not expire between its grant and the put that uses it.

    @Test func aKeyOnALeaseWithoutKeepalivesDisappearsAfterTheTTL() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let lease = try await client.grantLease(ttlSeconds: 3)
            #expect(lease.ttlSeconds == 3)
            try await client.put("/pmd/c/leader", Array("me".utf8), lease: lease.id)
            let attached = ContinuousClock.now
            #expect(try await client.get("/pmd/c/leader")?.lease == lease.id)

            let gone = try await eventually(timeout: .seconds(15)) { try await client.get("/pmd/c/leader") == nil }
            #expect(gone)
            #expect(ContinuousClock.now - attached >= .seconds(1))
            #expect(try await client.keepAlive(lease.id) == 0)
            await client.shutdown()
        }
    }

    @Test func keepalivesHoldTheKeyPastItsTTL() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let lease = try await client.grantLease(ttlSeconds: 3)
            try await client.put("/pmd/c/leader", Array("me".utf8), lease: lease.id)
            let until = ContinuousClock.now + .seconds(6)
            var renewals = 0
            while ContinuousClock.now < until {
                // Each renewal starts the full TTL again.
                #expect(try await client.keepAlive(lease.id) == 3)
                renewals += 1
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(renewals >= 5)
            #expect(try await client.get("/pmd/c/leader")?.lease == lease.id)
            await client.shutdown()
        }
    }

    @Test func revokeRemovesTheLeasesKeysAtOnce() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let lease = try await client.grantLease(ttlSeconds: 60)
            try await client.put("/pmd/c/a", [1], lease: lease.id)
            try await client.put("/pmd/c/b", [2], lease: lease.id)
            try await client.put("/pmd/c/kept", [3])
            try await client.revoke(lease.id)
            #expect(try await client.getPrefix("/pmd/c/").values.map(\.key) == ["/pmd/c/kept"])
            #expect(try await client.keepAlive(lease.id) == 0)
            try await client.revoke(lease.id)  // already gone: not an error
            await client.shutdown()
        }
    }

    @Test func aPutOnAnUnknownLeaseIsEtcdsNotFound() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            await #expect(throws: EtcdError(.server(code: 5), "etcdserver: requested lease not found")) {
                try await client.put("/pmd/c/x", [1], lease: 12345)
            }
            let stored = try await client.get("/pmd/c/x")
            #expect(stored == nil)
            await client.shutdown()
        }
    }
}
