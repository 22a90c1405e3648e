import Actors
import Foundation
import Logging
import NIOCore
import Persistence
import Protocol

/// Cluster mode's control loop (SPEC §10), one per node. etcd decides who leads: the primary is
/// whoever holds the leader key, attached to its lease, with the newest term. This loop keeps the
/// node's part: as primary it renews the lease, serves only while the renewal is fresh
/// (`LeaseClock`), keeps the sync set published and refuses writes when too few standbys hold
/// them; as standby it streams from the primary; with no primary it campaigns if the
/// `ElectionRule` lets it, and promotes itself when it wins.
///
/// A node whose memory may hold what the cluster does not (a primary that lost its lease, a
/// standby whose log parted from the primary's) starts afresh in place (`Relaunch`): start-up
/// reconciles its log with the primary's before loading anything.
actor ClusterNode {
    struct Hooks: Sendable {
        /// Runs once this node is primary and writable: seed plans, hand the outbox to the mailer,
        /// start the work only a primary does.
        let promoted: @Sendable () async -> Void
        /// Replaces the process (`Relaunch`), with why.
        let relaunch: @Sendable (String) async -> Void
    }

    let context: ClusterContext
    let etcd: EtcdClient
    let keys: ClusterKeys
    let feed: ReplicaFeed
    let applier: ReplicaApplier
    let group: any EventLoopGroup
    let hooks: Hooks
    let lease: LeaseClock
    var logger: Logger { context.logger }

    /// The leader lease while primary.
    var leaderLease: Int64?
    /// When the next renewal of the leader lease is due.
    var renewDue = ContinuousClock.now
    /// The node's own lease, for its `nodes/` record.
    var nodeLease: Int64?
    var nodeRefreshDue = ContinuousClock.now
    /// The stream from the primary, while a standby.
    var stream: (any Channel)?
    var streamingFrom: LeaderRecord?
    /// When to ask an unresponsive primary again, and how many times it failed in a row.
    var followDue = ContinuousClock.now
    var followFailures = 0
    /// What the primary last said the cluster had acknowledged (the floor of a promotion).
    var acknowledgedSeen: LSN = 0
    /// Set while appends are refused for want of standbys.
    var refusingForStandbys = false
    var publishing = false
    /// How long writes may wait for standbys before they are answered 503 (SPEC §10).
    static let standbyWait: Duration = .seconds(5)
    static let tick: Duration = .milliseconds(100)

    init(
        context: ClusterContext, etcd: EtcdClient, feed: ReplicaFeed, applier: ReplicaApplier, group: any EventLoopGroup,
        hooks: Hooks
    ) {
        self.context = context
        self.etcd = etcd
        keys = ClusterKeys(cluster: context.me.cluster)
        self.feed = feed
        self.applier = applier
        self.group = group
        self.hooks = hooks
        lease = LeaseClock(ttl: context.me.leaderTTL)
    }

    /// Runs until the task is cancelled (graceful shutdown), then gives up the leader key if it
    /// holds it, so a standby can take over at once.
    func run() async {
        context.wal.refuseAppends(.init(reason: "not the primary", kind: .notPrimary))
        while !Task.isCancelled {
            await step()
            try? await Task.sleep(for: Self.tick)
        }
        await resign()
    }

    private func step() async {
        await refreshNodeRecord()
        switch context.role.current.role {
        case .primary: await actAsPrimary()
        case .standby, .candidate: await followOrCampaign()
        }
    }

    // MARK: - The node's record

    /// Publishes this node's role and position every second, under a lease of its own, for
    /// `pmd cluster status` and for candidates looking for their rivals.
    private func refreshNodeRecord() async {
        guard ContinuousClock.now >= nodeRefreshDue else { return }
        nodeRefreshDue = ContinuousClock.now + .seconds(1)
        do {
            if let nodeLease, try await etcd.keepAlive(nodeLease) == 0 { self.nodeLease = nil }
            if nodeLease == nil { nodeLease = try await etcd.grantLease(ttlSeconds: max(2, Int(lease.ttl.components.seconds))).id }
            let view = context.role.current
            let record = NodeRecord(
                node: context.me.node, address: context.me.address, role: view.role.rawValue, term: view.term,
                position: context.position)
            try await etcd.put(keys.node(context.me.node), record.json.bytes, lease: nodeLease)
        } catch {
            nodeLease = nil
        }
    }

    // MARK: - Reading etcd

    func leader() async throws(EtcdError) -> (LeaderRecord, EtcdKeyValue)? {
        guard let kv = try await etcd.get(keys.leader), let record = LeaderRecord(kv.value) else { return nil }
        return (record, kv)
    }

    /// Remembers a term seen in etcd, durably (a standby then refuses older primaries).
    func saw(term: UInt64) {
        do {
            try context.store.saveKnownTerm(term)
        } catch {
            logger.error("could not store the newest term", metadata: ["term": "\(term)", "error": "\(error)"])
        }
    }

    var knownTerm: UInt64 { (try? context.store.knownTerm()) ?? context.wal.lastTerm }
}
