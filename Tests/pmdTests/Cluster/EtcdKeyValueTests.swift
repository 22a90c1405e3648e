import Testing

@testable import pmd

@Suite("EtcdClient against a real etcd: keys and values")
struct EtcdKeyValueTests {
    @Test func putGetAndDeleteRoundTripBinaryValues() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let every = (0...255).map { UInt8($0) }
            let revision = try await client.put("/pmd/t/binary", every)
            let stored = try #require(try await client.get("/pmd/t/binary"))
            #expect(
                stored
                    == EtcdKeyValue(key: "/pmd/t/binary", value: every, createRevision: revision, modRevision: revision, version: 1, lease: 0))

            let second = try await client.put("/pmd/t/binary", [])
            #expect(second > revision)
            let emptied = try #require(try await client.get("/pmd/t/binary"))
            #expect(emptied.value == [] && emptied.version == 2 && emptied.createRevision == revision && emptied.modRevision == second)

            try await client.delete("/pmd/t/binary")
            #expect(try await client.get("/pmd/t/binary") == nil)
            try await client.delete("/pmd/t/binary")  // already gone: not an error
            #expect(try await client.get("/pmd/t/never") == nil)
            await client.shutdown()
        }
    }

    @Test func getPrefixReadsExactlyTheKeysUnderThePrefixInKeyOrder() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            for key in ["/pmd/c/nodes/b", "/pmd/c/nodes/a", "/pmd/c/nodes/ü", "/pmd/c/nodes", "/pmd/c/nodes0", "/pmd/c/leader"] {
                try await client.put(key, Array(key.utf8))
            }
            let last = try await client.put("/pmd/d", [1])
            let (values, revision) = try await client.getPrefix("/pmd/c/nodes/")
            #expect(values.map(\.key) == ["/pmd/c/nodes/a", "/pmd/c/nodes/b", "/pmd/c/nodes/ü"])
            #expect(values.map(\.value) == values.map { Array($0.key.utf8) })
            #expect(revision == last)
            #expect(try await client.getPrefix("/pmd/none/").values.isEmpty)
            #expect(try await client.getPrefix("").values.count == 7)
            await client.shutdown()
        }
    }
}
