import ArgumentParser
import Foundation
import Protocol

/// `pmd cluster status`: every node of the cluster with its role, term, LSN and lag, from etcd
/// (who is registered, who leads) and from each node's `system.health`.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Cluster mode (PMD_ETCD_ENDPOINTS): inspect the cluster.",
        subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let widths = [16, 24, 12, 7, 12, 0]

        static func line(_ cells: [String]) -> String {
            zip(cells, widths).map { cell, width in width == 0 ? cell : cell.padding(toLength: max(width, cell.count + 1), withPad: " ", startingAt: 0) }
                .joined()
        }

        static let configuration = CommandConfiguration(
            abstract: "Print every node: role, term, durable LSN and lag behind the primary.",
            discussion: "Reads PMD_ETCD_ENDPOINTS and PMD_CLUSTER (and PMD_RPC_KEY to ask the nodes). "
                + "With a node's PMD_TLS_* it asks the nodes over TLS as that node would; --tls… options override.")

        @Flag(help: "Print JSON instead of a table")
        var json = false

        @OptionGroup var tlsOptions: ClientTLSOptions

        func run() async throws {
            let config = try loadConfig()
            guard let endpoints = config.etcdEndpoints else {
                printError("cluster: PMD_ETCD_ENDPOINTS is not set: this pmd is not in cluster mode")
                throw ExitCode(2)
            }
            // Run on a node, with its configuration, it connects to the others as that node does.
            let tls: ClientTLS?
            do {
                tls = try tlsOptions.requested ? tlsOptions.clientTLS(command: "cluster") : NodeTLS(config: config)?.peer
            } catch let exit as ExitCode {
                throw exit
            } catch {
                printError("cluster: TLS: \(error)")
                throw ExitCode(2)
            }
            let etcd = EtcdClient(endpoints: endpoints, requestTimeout: .seconds(2))
            defer { Task { await etcd.shutdown() } }
            let keys = ClusterKeys(cluster: config.clusterName)
            let leader: LeaderRecord?
            let nodes: [NodeRecord]
            do {
                leader = try await etcd.get(keys.leader).flatMap { LeaderRecord($0.value) }
                nodes = try await etcd.getPrefix(keys.nodes).values.compactMap { NodeRecord($0.value) }
            } catch {
                printError("cluster: \(error)")
                throw ExitCode(1)
            }
            var rows: [JSON] = []
            var primaryLSN: Int?
            var healths: [String: JSON] = [:]
            for node in nodes {
                if let health = try? await Call.request("system.health", [:], addr: node.address, tls: tls, timeout: .seconds(2), command: "cluster"),
                    let cluster = health["result"]?["cluster"]
                {
                    healths[node.node] = cluster
                    if cluster["role"] == "primary" { primaryLSN = cluster["durableLsn"]?.intValue }
                }
            }
            for node in nodes.sorted(by: { $0.node < $1.node }) {
                let health = healths[node.node]
                let lsn = health?["durableLsn"]?.intValue ?? Int(node.position.lsn)
                rows.append([
                    "node": .string(node.node), "addr": .string(node.address),
                    "role": health?["role"] ?? .string(node.role + " (from etcd)"),
                    "term": health?["term"] ?? JSON(Int(node.term)), "durableLsn": JSON(lsn),
                    "lagRecords": primaryLSN.map { JSON(max($0 - lsn, 0)) } ?? .null,
                    "reachable": .bool(health != nil),
                ])
            }
            let summary: JSON = [
                "cluster": .string(config.clusterName), "primary": leader.map { .string($0.node) } ?? .null,
                "term": leader.map { JSON(Int($0.term)) } ?? .null, "nodes": .array(rows),
            ]
            if json {
                print(summary.prettyString())
                return
            }
            print("cluster \(config.clusterName): primary \(leader?.node ?? "none (election running)"), term \(leader.map { String($0.term) } ?? "-")")
            print(Self.line(["NODE", "ADDRESS", "ROLE", "TERM", "LSN", "LAG"]))
            for row in rows {
                let role = row["reachable"] == .bool(true) ? (row["role"]?.stringValue ?? "") : "unreachable"
                let lag = row["lagRecords"].map { $0 == .null ? "-" : $0.description } ?? "-"
                print(Self.line([
                    row["node"]?.stringValue ?? "", row["addr"]?.stringValue ?? "", role, row["term"]?.description ?? "",
                    row["durableLsn"]?.description ?? "", lag,
                ]))
            }
        }
    }
}
