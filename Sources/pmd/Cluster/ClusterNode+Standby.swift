import Actors
import Foundation
import NIOCore
import Persistence
import Protocol

extension ClusterNode {
    /// A standby follows the leader key: it streams from the primary it names, and when there is
    /// none, it campaigns if the election rule lets it.
    func followOrCampaign() async {
        let current: (LeaderRecord, EtcdKeyValue)?
        do {
            current = try await leader()
        } catch {
            return  // etcd unreachable: stay as we are; a primary we stream from may still be fine.
        }
        guard let (record, kv) = current else {
            closeStream(reason: "the primary's lease expired")
            context.role.become(.candidate, term: knownTerm, primary: nil, primaryNode: nil)
            await campaignIfEligible()
            return
        }
        if record.term > knownTerm { saw(term: record.term) }
        if record.node == context.me.node {
            // Our own key from before a restart, its lease still alive: lead again, in a new term.
            await reclaim(record, kv)
            return
        }
        context.role.become(.standby, term: record.term, primary: record.address, primaryNode: record.node)
        guard stream == nil || streamingFrom != record else { return }
        // A primary that does not answer (dead, its lease not yet expired) is asked again after
        // a growing pause, not on every tick.
        guard ContinuousClock.now >= followDue else { return }
        await follow(record)
        if stream == nil {
            followFailures += 1
            followDue = ContinuousClock.now + min(.milliseconds(100) * (1 << min(followFailures, 4)), .seconds(1))
        } else {
            followFailures = 0
        }
    }

    private func closeStream(reason: String) {
        guard let stream else { return }
        logger.info("replication stream closed", metadata: ["reason": "\(reason)"])
        stream.close(promise: nil)
        self.stream = nil
        streamingFrom = nil
    }

    /// Connects to the primary and streams. A log that parted from the primary's, or one the
    /// primary cannot stream to, needs start-up's reconciliation: the node starts afresh.
    private func follow(_ primary: LeaderRecord) async {
        closeStream(reason: "following \(primary.node)")
        await waitForLocalCommits()
        let view: StreamPlan.Log
        do {
            view = try context.logView()
        } catch {
            logger.error("cannot read the log's state", metadata: ["error": "\(error)"])
            return
        }
        let params: JSON = [
            "node": .string(context.me.node), "address": .string(context.me.address), "origin": .string(Hex.encode(view.origin)),
            "lastLsn": JSON(Int(view.last)), "history": ClusterMethods.json(view.history), "knownTerm": JSON(Int(knownTerm)),
        ]
        let sink = ReplicationReceiver.Sink(
            wal: context.wal, feed: feed, knownTerm: { [context] in (try? context.store.knownTerm()) ?? 0 },
            status: { [weak self] term, acknowledged, _ in
                Task { await self?.heard(term: term, acknowledged: acknowledged) }
            }, logger: logger)
        let (answer, channel) = await ReplicationClient.ask(
            primary.address, method: "replication.start", params: params, key: context.me.rpcKey, tls: context.me.tls, group: group
        ) { answer, channel in
            guard case let .result(result) = answer, result["mode"] == "stream" else { return false }
            let term = UInt64(max(result["term"]?.intValue ?? 0, 0))
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
            try channel.pipeline.syncOperations.addHandler(ReplicationReceiver(term: term, sink: sink))
            return true
        }
        switch answer {
        case let .result(result) where result["mode"] == "stream":
            guard let channel else { return }
            logger.info("streaming from the primary", metadata: ["primary": "\(primary.node)", "from": "\(result["from"] ?? .null)"])
            stream = channel
            streamingFrom = primary
            channel.closeFuture.whenComplete { [weak self] _ in Task { await self?.streamEnded(channel) } }
        case let .result(result) where result["mode"] == "truncate" || result["mode"] == "snapshot":
            await hooks.relaunch("the primary says this log must \(result["mode"]?.stringValue == "truncate" ? "be cut back" : "be replaced by a snapshot") first")
        case let .result(result):
            logger.warning("unexpected answer to replication.start", metadata: ["answer": "\(result)"])
        case let .error(code, message, _):
            if followFailures == 0 {
                logger.info("the primary did not stream; asking again", metadata: ["primary": "\(primary.node)", "code": "\(code)", "message": "\(message)"])
            }
        }
    }

    private func streamEnded(_ channel: any Channel) {
        guard let stream, stream === channel else { return }
        self.stream = nil
        streamingFrom = nil
    }

    func heard(term: UInt64, acknowledged: LSN) {
        acknowledgedSeen = max(acknowledgedSeen, acknowledged)
    }

    /// Records appended from the stream but not yet committed here commit within a group commit;
    /// the log's position is only reported once they have.
    func waitForLocalCommits() async {
        let wal = context.wal
        for _ in 0..<200 where wal.localDurableLSN < wal.lastAssignedLSN && wal.failure == nil {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for _ in 0..<400 where await applier.appliedLSN < wal.localDurableLSN {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: - Elections

    /// With no primary: asks the other nodes how far their logs go and campaigns if the
    /// election rule says this node should; etcd's compare-and-swap decides between candidates.
    private func campaignIfEligible() async {
        await waitForLocalCommits()
        let sync: SyncSet?
        let nodes: [NodeRecord]
        let termKV: EtcdKeyValue?
        do {
            sync = try await etcd.get(keys.sync).flatMap { SyncSet($0.value) }
            nodes = try await etcd.getPrefix(keys.nodes).values.compactMap { NodeRecord($0.value) }
            termKV = try await etcd.get(keys.term)
        } catch {
            return
        }
        var peers: [String: LogPosition] = [:]
        await withTaskGroup(of: (String, LogPosition?).self) { group in
            for node in nodes where node.node != context.me.node {
                group.addTask { [self] in (node.node, await position(of: node)) }
            }
            for await (name, position) in group { if let position { peers[name] = position } }
        }
        let me = context.position
        let decision = ElectionRule.decide(
            me: context.me.node, position: me, required: context.me.requiredStandbys, sync: sync, peers: peers)
        guard decision == .campaign else {
            if case let .wait(reason) = decision { logger.debug("not campaigning", metadata: ["reason": "\(reason)"]) }
            return
        }
        let lastTerm = max(UInt64(termKV.flatMap { String(decoding: $0.value, as: UTF8.self) }.flatMap(UInt64.init) ?? 0), knownTerm)
        await campaign(term: lastTerm + 1, termKV: termKV, reusing: nil)
    }

    /// Another node's position, asked over JSON-RPC (`system.health`), with a short timeout: a
    /// node that does not answer does not count (SPEC §10: the highest among those caught up).
    private func position(of node: NodeRecord) async -> LogPosition? {
        let params: JSON = [:]
        let (answer, channel) = await ReplicationClient.ask(
            node.address, method: "system.health", params: params, key: context.me.rpcKey, tls: context.me.tls, group: group
        ) { _, _ in false }
        channel?.close(promise: nil)
        guard case let .result(health) = answer, let cluster = health["cluster"], let lsn = cluster["durableLsn"]?.intValue,
            let term = cluster["lastTerm"]?.intValue
        else { return nil }
        return LogPosition(term: UInt64(max(term, 0)), lsn: LSN(max(lsn, 0)))
    }

    /// Takes the leader key with a new lease and the next term, in one compare-and-swap: only if
    /// no one holds the key and the term has not moved since it was read.
    func campaign(term: UInt64, termKV: EtcdKeyValue?, reusing existing: (LeaderRecord, EtcdKeyValue)?) async {
        let sentAt = ContinuousClock.now
        let grant: (id: Int64, ttlSeconds: Int)
        do {
            if let existing {
                grant = (existing.1.lease, Int(lease.ttl.components.seconds))
            } else {
                grant = try await etcd.grantLease(ttlSeconds: Int(lease.ttl.components.seconds))
            }
        } catch {
            return
        }
        let record = LeaderRecord(node: context.me.node, address: context.me.address, term: term)
        var compares: [EtcdCompare] = [
            termKV.map { .modRevision(key: keys.term, equals: $0.modRevision) } ?? .createRevision(key: keys.term, equals: 0)
        ]
        if let existing {
            compares.append(.modRevision(key: keys.leader, equals: existing.1.modRevision))
        } else {
            compares.append(.createRevision(key: keys.leader, equals: 0))
        }
        let won: Bool
        do {
            won = try await etcd.txn(
                compares,
                then: [
                    .put(key: keys.leader, value: record.json.bytes, lease: grant.id),
                    .put(key: keys.term, value: Array(String(term).utf8), lease: nil),
                    .put(key: keys.sync, value: SyncSet(term: term, members: []).json.bytes, lease: nil),
                ]
            ).succeeded
        } catch {
            // A timed-out call may still have been applied: the next step reads the key again.
            won = false
        }
        guard won else {
            if existing == nil { try? await etcd.revoke(grant.id) }
            return
        }
        await promote(term: term, leaseID: grant.id, renewalSentAt: sentAt)
    }

    /// Our own leader key survived a restart (its lease is alive): nobody else can lead until it
    /// expires, so lead again — in a new term, since records this node wrote before the restart
    /// may be missing here but present on a standby.
    private func reclaim(_ record: LeaderRecord, _ kv: EtcdKeyValue) async {
        let sentAt = ContinuousClock.now
        guard (try? await etcd.keepAlive(kv.lease)) ?? 0 > 0 else { return }
        let termKV = try? await etcd.get(keys.term)
        let lastTerm = max(UInt64(termKV.flatMap { String(decoding: $0.value, as: UTF8.self) }.flatMap(UInt64.init) ?? 0), knownTerm, record.term)
        logger.notice("this node's leader key outlived its restart; leading again in a new term", metadata: ["term": "\(lastTerm + 1)"])
        await campaign(term: lastTerm + 1, termKV: termKV, reusing: (record, kv))
        if leaderLease != nil { renewDue = sentAt + lease.renewEvery }
    }
}
