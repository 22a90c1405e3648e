import Testing

@testable import pmd

@Suite("EtcdClient against a real etcd: transactions")
struct EtcdTxnTests {
    @Test func createIfAbsentWinsExactlyOnceAmongConcurrentCallers() async throws {
        try await withEtcd { etcd in
            let clients = (0..<3).map { _ in EtcdClient(endpoints: [etcd.clientURL], requestTimeout: .seconds(5)) }
            let results = try await withThrowingTaskGroup(of: (String, EtcdTxnResult).self) { group in
                for candidate in 0..<12 {
                    let name = "node-\(candidate)"
                    let client = clients[candidate % clients.count]
                    group.addTask {
                        let result = try await client.txn(
                            [.createRevision(key: "/pmd/c/leader", equals: 0)],
                            then: [.put(key: "/pmd/c/leader", value: Array(name.utf8), lease: nil)],
                            else: [.get(key: "/pmd/c/leader")])
                        return (name, result)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = results.filter { $0.1.succeeded }
            #expect(winners.count == 1)
            let winner = try #require(winners.first).0
            for (_, result) in results where !result.succeeded {
                // Each loser read the winner's value in the same transaction.
                #expect(result.gets.count == 1)
                #expect(result.gets.first?.first?.value == Array(winner.utf8))
            }
            #expect(try await clients[0].get("/pmd/c/leader")?.value == Array(winner.utf8))
            for client in clients { await client.shutdown() }
        }
    }

    @Test func aFailingCompareRunsTheElseBranchAndAHoldingOneTheThenBranch() async throws {
        try await withEtcd { etcd in
            let client = EtcdClient(endpoints: [etcd.clientURL])
            let revision = try await client.put("/pmd/c/term", Array("1".utf8))

            let stale = try await client.txn(
                [.modRevision(key: "/pmd/c/term", equals: revision - 1)],
                then: [.put(key: "/pmd/c/term", value: Array("2".utf8), lease: nil)],
                else: [.get(key: "/pmd/c/term"), .put(key: "/pmd/c/lost", value: [1], lease: nil), .get(key: "/pmd/c/absent")])
            #expect(!stale.succeeded)
            #expect(stale.gets.map { $0.map(\.value) } == [[Array("1".utf8)], []])
            #expect(try await client.get("/pmd/c/term")?.value == Array("1".utf8))
            #expect(try await client.get("/pmd/c/lost") != nil)

            let current = try await client.txn(
                [
                    .modRevision(key: "/pmd/c/term", equals: revision), .value(key: "/pmd/c/term", equals: Array("1".utf8)),
                    .version(key: "/pmd/c/term", equals: 1),
                ],
                then: [.put(key: "/pmd/c/term", value: Array("2".utf8), lease: nil), .delete(key: "/pmd/c/lost"), .get(key: "/pmd/c/term")],
                else: [.get(key: "/pmd/c/term")])
            #expect(current.succeeded)
            #expect(current.revision > revision)
            #expect(current.gets.map { $0.map(\.value) } == [[Array("2".utf8)]])
            #expect(try await client.get("/pmd/c/lost") == nil)
            await client.shutdown()
        }
    }
}
