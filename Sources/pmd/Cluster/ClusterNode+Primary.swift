import Actors
import Foundation
import NIOCore
import Persistence
import Protocol

extension ClusterNode {
    /// This node won the leader key for `term`: it stops following, makes sure memory holds all
    /// its log, begins the term with a record of its own, and opens for writes.
    func promote(term: UInt64, leaseID: Int64, renewalSentAt: ContinuousClock.Instant) async {
        if let stream {
            stream.close(promise: nil)
            self.stream = nil
            streamingFrom = nil
        }
        await waitForLocalCommits()
        leaderLease = leaseID
        renewDue = renewalSentAt + lease.renewEvery
        saw(term: term)
        let wal = context.wal
        let hub = context.hub
        // What may be acknowledged starts where the last primary left it: records after that
        // reach readers once this term's standbys hold them (SPEC §5.2).
        let floor = acknowledgedSeen > 0 ? min(acknowledgedSeen, wal.localDurableLSN) : wal.localDurableLSN
        hub.reset(acknowledged: floor, last: wal.lastAssignedLSN)
        if context.me.requiredStandbys > 0 {
            wal.acknowledge(upTo: floor)
            wal.limitCheckpoints(to: floor)
        } else {
            wal.limitCheckpoints(to: .max)
        }
        wal.tap { first, encoded in hub.append(first: first, encoded) }
        wal.begin(term: term)
        context.role.become(.primary, term: term, primary: context.me.address, primaryNode: context.me.node)
        context.role.serve(until: lease.serveUntil(renewalSentAt: renewalSentAt))
        wal.refuseAppends(nil)
        do {
            // The term's first record: every log that holds it knows where this term began.
            let lsn = try wal.append(WALRecord(kind: "cluster.promoted", timestampMs: Timestamp.now().milliseconds, ops: []))
            while wal.localDurableLSN < lsn, wal.failure == nil { try? await Task.sleep(for: .milliseconds(2)) }
        } catch {
            logger.error("could not begin the term", metadata: ["error": "\(error)"])
        }
        logger.notice(
            "this node is the primary", metadata: ["term": "\(term)", "lsn": "\(wal.lastAssignedLSN)", "acknowledged": "\(floor)"])
        // Not awaited here: its writes wait for standbys, which this loop attaches.
        let promoted = hooks.promoted
        Task { await promoted() }
    }

    /// The primary's round: renew the lease in time, stop serving when a renewal is overdue (and
    /// start afresh once the lease is gone), keep the sync set current, and answer "Not enough
    /// standbys" when writes have waited for them too long.
    func actAsPrimary() async {
        let role = context.role
        if let failure = context.wal.failure {
            logger.critical("the log failed; giving up the leader key", metadata: ["reason": "\(failure.reason)"])
            await resign()
            role.become(.candidate, term: knownTerm, primary: nil, primaryNode: nil)
            return
        }
        if ContinuousClock.now >= renewDue, let leaderLease {
            let sentAt = ContinuousClock.now
            do {
                let ttl = try await etcd.keepAlive(leaderLease)
                guard ttl > 0 else {
                    await lost("the leader lease expired at etcd")
                    return
                }
                let record = try await leader()
                guard let (held, _) = record, held.node == context.me.node, held.term == role.current.term else {
                    await lost("the leader key names another node")
                    return
                }
                role.serve(until: lease.serveUntil(renewalSentAt: sentAt))
                renewDue = sentAt + lease.renewEvery
                context.hub.advance()
            } catch {
                // etcd unreachable: keep trying every tick; the deadline stops this node serving.
                if role.serving { logger.warning("renewing the leader lease failed", metadata: ["error": "\(error)"]) }
                renewDue = ContinuousClock.now + Self.tick
            }
        }
        if !role.serving {
            // Past the deadline: nothing more is acknowledged or answered; what waits is told.
            context.wal.abandonWaits(.init(reason: "Not the primary", kind: .notPrimary))
            return
        }
        await keepSyncSet()
        checkStandbys()
    }

    /// Publishes a new sync set when the hub proposes one; it counts only once etcd has it.
    private func keepSyncSet() async {
        guard context.me.requiredStandbys > 0, !publishing,
            let members = context.hub.proposedMembers(stallAfter: .seconds(2)), leaderLease != nil
        else { return }
        publishing = true
        defer { publishing = false }
        let term = context.role.current.term
        let set = SyncSet(term: term, members: members)
        let record = LeaderRecord(node: context.me.node, address: context.me.address, term: term)
        do {
            let done = try await etcd.txn(
                [.value(key: keys.leader, equals: record.json.bytes)],
                then: [.put(key: keys.sync, value: set.json.bytes, lease: nil)])
            guard done.succeeded else { return }
            context.hub.adopt(members: members)
            logger.info("sync standbys", metadata: ["members": "\(members.joined(separator: ","))"])
        } catch {
            return
        }
    }

    /// SPEC §10: with fewer standbys than required, writes wait; after 5 s they answer 503 "Not
    /// enough standbys", and so do new writes, until enough standbys hold the log again.
    private func checkStandbys() {
        let hub = context.hub
        let wal = context.wal
        if hub.syncComplete && !hub.acknowledgementStalled(longerThan: Self.standbyWait) {
            if refusingForStandbys {
                refusingForStandbys = false
                wal.refuseAppends(nil)
                logger.notice("enough standbys again: writes are taken")
            }
            return
        }
        guard hub.acknowledgementStalled(longerThan: Self.standbyWait) || (refusingForStandbys && !hub.syncComplete) else { return }
        let failure = WriteAheadLog.Failure(reason: "Not enough standbys", kind: .notEnoughStandbys)
        wal.abandonWaits(failure)
        if !refusingForStandbys {
            refusingForStandbys = true
            wal.refuseAppends(failure)
            logger.warning("not enough standbys: writes answer 503 until one is caught up", metadata: ["required": "\(context.me.requiredStandbys)"])
        }
    }

    /// The lease is gone: another node may already lead. Memory may hold writes the cluster
    /// never acknowledged, so the node starts afresh and rejoins as a standby.
    private func lost(_ reason: String) async {
        context.role.stopServing()
        context.wal.refuseAppends(.init(reason: "Not the primary", kind: .notPrimary))
        context.wal.abandonWaits(.init(reason: "Not the primary", kind: .notPrimary))
        logger.warning("no longer the primary", metadata: ["reason": "\(reason)"])
        await hooks.relaunch(reason)
    }

    /// Gives up the leader key (graceful shutdown, or a failed log) so that a standby can take
    /// over without waiting for the lease to expire.
    func resign() async {
        guard let leaderLease else { return }
        context.role.stopServing()
        try? await etcd.revoke(leaderLease)
        self.leaderLease = nil
        logger.notice("gave up the leader key")
    }
}
