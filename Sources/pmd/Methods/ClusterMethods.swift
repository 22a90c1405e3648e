import Actors
import Foundation
import NIOPosix
import NIOCore
import Persistence
import Protocol

/// The methods of cluster mode (SPEC §10): how a standby asks the primary for its log
/// (`replication.start`, `replication.snapshot`), and `system.digest`, which any node answers.
enum ClusterMethods {
    static func methods(cluster: ClusterContext?, store: Store) -> [MethodSpec] {
        var methods = [digest(store: store, io: cluster?.io)]
        if let cluster { methods += [start(cluster), snapshot(cluster)] }
        return methods
    }

    static func digest(store: Store, io: NIOThreadPool?) -> MethodSpec {
        MethodSpec("system.digest", summary: "A hash of the whole logical state and the LSN it is at", anywhere: true) { _ throws(RPCError) in
            let compute = { @Sendable () throws -> JSON in
                let hash = DigestStream()
                let lsn = try store.visitLogicalState(tables: Tables.all) { table, key, value in
                    // Lengths first, so different splits of the same bytes never hash alike.
                    for part in [Array(table.utf8).withUnsafeBytes { Array($0) }, Array(key), Array(value)] {
                        hash.update(withUnsafeBytes(of: UInt32(part.count).bigEndian) { Array($0) })
                        hash.update(part)
                    }
                }
                return ["lsn": .number(JSONNumber(Int(lsn))), "digest": .string(Hex.encode(hash.finish()))]
            }
            do {
                // Reading every row is blocking work: a thread of its own, never the event loop.
                let pool = io ?? NIOThreadPool.singleton
                return RPCResult(try await pool.runIfActive(compute))
            } catch {
                throw .internalError
            }
        }
    }

    static let startParams = [
        ParamSpec("node", .string, required: true, summary: "The standby's PMD_NODE_NAME"),
        ParamSpec("address", .string, required: true, summary: "The standby's advertised address"),
        ParamSpec("origin", .string, required: true, summary: "Hex of the standby's data directory origin"),
        ParamSpec("lastLsn", .integer, required: true, summary: "The last record in the standby's log"),
        ParamSpec("history", .array, required: true, summary: "The standby's term history: [[term, firstLsn], …]"),
        ParamSpec("knownTerm", .integer, required: true, summary: "The newest term the standby has seen"),
        ParamSpec("probe", .boolean, summary: "Only say what the standby must do; do not stream"),
    ]

    /// `replication.start`: the primary's answer to a standby (`StreamPlan`), and for a stream the
    /// connection becomes a binary replication stream (`ReplicationSender`).
    static func start(_ cluster: ClusterContext) -> MethodSpec {
        MethodSpec("replication.start", summary: "Cluster: a standby asks for the log after its last record", params: startParams) {
            call throws(RPCError) in
            let term = cluster.role.current.term
            let known = UInt64(max(call.params["knownTerm"]?.intValue ?? 0, 0))
            guard known <= term else {
                throw .application(code: 409, kind: "conflict", message: "A newer term exists", extra: ["term": JSON(Int(known))])
            }
            let standby = StreamPlan.Log(
                origin: Hex.decode(call.params.string("origin") ?? "") ?? [], last: LSN(max(call.params["lastLsn"]?.intValue ?? 0, 0)),
                history: history(call.params["history"]), oldestRetained: nil)
            let plan: StreamPlan
            do {
                plan = StreamPlan.decide(primary: try cluster.logView(), standby: standby)
            } catch {
                throw .internalError
            }
            let node = call.params.string("node") ?? "?"
            switch plan {
            case let .truncate(after):
                cluster.logger.notice("a standby must discard records before streaming", metadata: ["node": "\(node)", "after": "\(after)"])
                return RPCResult(["mode": "truncate", "after": JSON(Int(after)), "term": JSON(Int(term))])
            case .snapshot:
                return RPCResult(["mode": "snapshot", "term": JSON(Int(term))])
            case let .stream(from):
                let result: JSON = ["mode": "stream", "from": JSON(Int(from)), "term": JSON(Int(term))]
                if call.params["probe"] == .bool(true) { return RPCResult(result) }
                let source = ReplicationSender.Source(hub: cluster.hub, store: cluster.store, reads: cluster.io, term: term, logger: cluster.logger)
                let address = call.params.string("address") ?? "?"
                call.connection.handOver(ConnectionHandover { channel in
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(ReplicationSender(node: node, address: address, from: from, source: source))
                })
                return RPCResult(result)
            }
        }
    }

    /// `replication.snapshot`: a consistent copy of the data (as `pmd backup` makes), sent over
    /// the connection (`SnapshotSender`), which then closes.
    static func snapshot(_ cluster: ClusterContext) -> MethodSpec {
        MethodSpec(
            "replication.snapshot", summary: "Cluster: a consistent copy of the data for a new or lagging standby",
            params: [ParamSpec("node", .string, required: true, summary: "The standby's PMD_NODE_NAME")]
        ) { call throws(RPCError) in
            let directory = cluster.store.directory + "/snapshot.outgoing-" + ID.random().description
            let copy: SnapshotSender.Copy
            do {
                copy = try await cluster.io.runIfActive {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    let lsn = try cluster.store.copy(to: directory)
                    return SnapshotSender.Copy(directory: directory, lsn: lsn, files: ["tables/data.mdb", "data.mdb"])
                }
            } catch {
                cluster.logger.error("making a snapshot failed", metadata: ["error": "\(error)"])
                try? FileManager.default.removeItem(atPath: directory)
                throw .application(code: 503, kind: "unavailable", message: "Snapshot failed")
            }
            cluster.logger.info("sending a snapshot", metadata: ["node": "\(call.params.string("node") ?? "?")", "lsn": "\(copy.lsn)"])
            let (io, logger) = (cluster.io, cluster.logger)
            call.connection.handOver(ConnectionHandover { channel in
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(SnapshotSender(copy: copy, threadPool: io, logger: logger))
            })
            return RPCResult(["lsn": JSON(Int(copy.lsn)), "files": .array(copy.files.map { .string($0) })])
        }
    }

    static func history(_ json: JSON?) -> TermHistory {
        let entries = (json?.arrayValue ?? []).compactMap { pair -> TermHistory.Entry? in
            guard let values = pair.arrayValue, values.count == 2, let term = values[0].intValue, let lsn = values[1].intValue,
                term >= 0, lsn >= 0
            else { return nil }
            return TermHistory.Entry(term: UInt64(term), firstLSN: LSN(lsn))
        }
        return TermHistory(entries)
    }

    static func json(_ history: TermHistory) -> JSON {
        .array(history.entries.map { [JSON(Int($0.term)), JSON(Int($0.firstLSN))] })
    }
}
