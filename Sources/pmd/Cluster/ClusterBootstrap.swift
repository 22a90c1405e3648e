import Actors
import Foundation
import Logging
import NIOCore
import NIOPosix
import Persistence
import Protocol

/// A cluster node's start-up, before anything is loaded into memory (SPEC §10 rejoin): if another
/// node is primary, this node's log is first made a prefix of the primary's — records after the
/// point where the histories parted are discarded (never acknowledged; the log says how many and
/// which), or, for a new node or one too far behind, the data is replaced by a snapshot of the
/// primary's. Only then are the tables brought up to the log and memory loaded from them.
enum ClusterBootstrap {
    struct Settings: Sendable {
        let dataDir: String
        let mapSize: Int
        let node: String
        let key: String?
        /// TLS to the primary when this node's listeners speak it (`NodeTLS.peer`).
        let tls: ClientTLS?
    }

    static func openStore(_ settings: Settings, etcd: EtcdClient, keys: ClusterKeys, logger: Logger) async throws -> Store {
        // An event loop of its own: a snapshot's file writes block it, and nothing else runs yet.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let store = try await reconcile(settings, etcd: etcd, keys: keys, group: group, logger: logger)
            try? await group.shutdownGracefully()
            return store
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func reconcile(
        _ settings: Settings, etcd: EtcdClient, keys: ClusterKeys, group: any EventLoopGroup, logger: Logger
    ) async throws -> Store {
        var warnedAt: ContinuousClock.Instant?
        SnapshotFiles(dataDir: settings.dataDir).removeOutgoing()
        while true {
            // A snapshot received in an earlier round (or before a crash) replaces the data
            // before the store is opened.
            try SnapshotFiles(dataDir: settings.dataDir).installIfReady(logger: logger)
            let store = try Store(directory: settings.dataDir, mapSize: settings.mapSize, tables: Tables.all, replay: false)
            let leader: LeaderRecord?
            do {
                leader = try await etcd.get(keys.leader).flatMap { LeaderRecord($0.value) }
            } catch {
                if warnedAt.map({ ContinuousClock.now - $0 > .seconds(5) }) ?? true {
                    logger.warning("waiting for etcd", metadata: ["error": "\(error)"])
                    warnedAt = .now
                }
                try await Task.sleep(for: .milliseconds(500))
                continue
            }
            guard let leader, leader.node != settings.node else {
                try store.replayUnapplied()
                return store
            }
            switch await probe(leader, store: store, settings: settings, group: group, logger: logger) {
            case .ready:
                try store.replayUnapplied()
                return store
            case let .truncate(after) where try store.appliedLSN() <= after:
                if let cut = try store.truncateLog(after: after) {
                    logger.notice(
                        "discarded records the cluster never acknowledged: this log parted from the primary's",
                        metadata: ["count": "\(cut.count)", "first": "\(cut.first)", "last": "\(cut.last)", "primary": "\(leader.node)"])
                }
            case .truncate, .snapshot:
                let files = SnapshotFiles(dataDir: settings.dataDir)
                try files.prepare()
                logger.notice("taking a snapshot of the primary's data", metadata: ["primary": "\(leader.node)"])
                let lsn = try await ReplicationClient.snapshot(
                    from: leader.address, node: settings.node, key: settings.key, tls: settings.tls, into: files.incoming, group: group)
                try files.markReady()
                logger.notice("snapshot received", metadata: ["lsn": "\(lsn)"])
            case .retry:
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    enum Probe {
        case ready
        case truncate(after: LSN)
        case snapshot
        case retry
    }

    /// Asks the primary what this log must do before it can stream (`replication.start` with
    /// `probe`), without streaming.
    private static func probe(
        _ leader: LeaderRecord, store: Store, settings: Settings, group: any EventLoopGroup, logger: Logger
    ) async -> Probe {
        let params: JSON
        do {
            params = [
                "node": .string(settings.node), "address": "", "origin": .string(Hex.encode(try store.origin())),
                "lastLsn": JSON(Int(try store.lastLSN())), "history": ClusterMethods.json(try store.termHistory()),
                "knownTerm": JSON(Int(try store.knownTerm())), "probe": true,
            ]
        } catch {
            return .retry
        }
        let (answer, channel) = await ReplicationClient.ask(
            leader.address, method: "replication.start", params: params, key: settings.key, tls: settings.tls, group: group
        ) { _, _ in false }
        channel?.close(promise: nil)
        switch answer {
        case let .result(result):
            switch result["mode"]?.stringValue {
            case "stream": return .ready
            case "truncate": return .truncate(after: LSN(max(result["after"]?.intValue ?? 0, 0)))
            case "snapshot": return .snapshot
            default: return .retry
            }
        case let .error(code, message, _):
            logger.info("waiting for the primary", metadata: ["primary": "\(leader.node)", "code": "\(code)", "message": "\(message)"])
            return .retry
        }
    }
}

/// Where a snapshot is received (`snapshot.incoming/` in the data directory) and how it replaces
/// the data: a `ready` marker once every file is complete and synced, then each file renamed over
/// its original, the marker last — a crash in between finishes the renames at the next start.
struct SnapshotFiles {
    let dataDir: String
    var incoming: String { dataDir + "/snapshot.incoming" }
    var marker: String { incoming + "/ready" }
    static let files = ["data.mdb", "tables/data.mdb"]

    /// Copies this node made to send as a primary (`replication.snapshot`); one a crash
    /// interrupted would otherwise stay.
    func removeOutgoing() {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: dataDir)) ?? [] where entry.hasPrefix("snapshot.outgoing-") {
            try? fm.removeItem(atPath: dataDir + "/" + entry)
        }
    }

    func prepare() throws {
        try? FileManager.default.removeItem(atPath: incoming)
        try FileManager.default.createDirectory(atPath: incoming + "/tables", withIntermediateDirectories: true)
    }

    func markReady() throws {
        guard FileManager.default.createFile(atPath: marker, contents: Data()) else {
            throw ReplicationClient.Failure(description: "cannot write \(marker)")
        }
    }

    func installIfReady(logger: Logger) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: marker) else {
            if fm.fileExists(atPath: incoming) { try? fm.removeItem(atPath: incoming) }
            return
        }
        for file in Self.files {
            let source = incoming + "/" + file
            guard fm.fileExists(atPath: source) else { continue }
            let target = dataDir + "/" + file
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if rename(source, target) != 0 { throw ReplicationClient.Failure(description: "cannot move \(source) to \(target)") }
        }
        // LMDB's lock files describe the old data's readers; they are made anew.
        for lock in ["lock.mdb", "tables/lock.mdb"] { try? fm.removeItem(atPath: dataDir + "/" + lock) }
        try fm.removeItem(atPath: incoming)
        logger.notice("snapshot installed in place of the data directory's files")
    }
}
