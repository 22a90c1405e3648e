import Foundation
import Logging
import Synchronization

/// The write-ahead log with group commit.
///
/// Callers `append` a record (synchronously, inside the actor turn that changed memory, so log
/// order is the order in which each actor applied its changes) and then `waitDurable` for its
/// LSN before answering. One writer thread takes everything appended while the previous commit
/// ran and writes it in a single LMDB transaction: the records into `wal`, the last LSN into
/// `meta`. Only when `mdb_txn_commit` (with its fsyncs) has returned are the waiters resumed.
/// Every so often (`CheckpointPolicy`) a commit also applies the records' row ops to the domain
/// tables; opening the store applies whatever a crash left unapplied.
///
/// A failed commit is fail-stop (SPEC §5.4): the log refuses every later append and every wait
/// for an undurable LSN, so nothing that is not on disk is ever acknowledged.
public final class WriteAheadLog: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }
    }

    /// What one commit did, for metrics.
    public struct CommitReport: Sendable {
        public let records: Int
        public let seconds: Double
        public let lastLSN: LSN
    }

    public struct Stats: Sendable {
        public let batches: UInt64
        public let records: UInt64
        public let durableLSN: LSN
        public let lastAssignedLSN: LSN
        public var meanBatchSize: Double { batches == 0 ? 0 : Double(records) / Double(batches) }
    }

    private struct Waiter {
        let lsn: LSN
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Callback {
        let lsn: LSN
        let call: @Sendable (Failure?) -> Void
    }

    private struct State {
        var pending: [(LSN, WALRecord)] = []
        var lastAssigned: LSN
        var waiters: [Waiter] = []
        var callbacks: [Callback] = []
        var failure: Failure?
        var closing = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
        var finished = false
        var batches: UInt64 = 0
        var records: UInt64 = 0
        var oldestRetained: LSN?
    }

    private let store: Store
    private let retain: UInt64
    private let checkpointPolicy: CheckpointPolicy
    private let initiallyApplied: LSN
    private let logger: Logger
    private let onCommit: @Sendable (CommitReport) -> Void
    private let condition = NSCondition()
    private var state: State
    private let durable: Atomic<UInt64>
    private let assigned: Atomic<UInt64>

    /// - Parameters:
    ///   - retain: how many records the `wal` table keeps; older ones are deleted a few at a time
    ///     inside later commits, once a checkpoint has applied them, so trimming loses nothing.
    ///   - checkpoint: when committed records are copied into the tables.
    public init(
        store: Store, retain: Int, checkpoint: CheckpointPolicy = .standard, logger: Logger,
        onCommit: @escaping @Sendable (CommitReport) -> Void = { _ in }
    ) throws {
        self.store = store
        self.retain = UInt64(max(retain, 0))
        self.checkpointPolicy = checkpoint
        self.initiallyApplied = try store.appliedLSN()
        self.logger = logger
        self.onCommit = onCommit
        let last = try store.lastLSN()
        state = State(lastAssigned: last, oldestRetained: try store.firstRetainedLSN())
        durable = Atomic(last)
        assigned = Atomic(last)
    }

    /// Starts the writer thread.
    public func start() {
        let thread = Thread { [self] in writerLoop() }
        thread.name = "pmd-wal-writer"
        thread.start()
    }

    /// The highest LSN known to be on disk.
    public var durableLSN: LSN { durable.load(ordering: .acquiring) }

    /// The highest LSN handed out so far.
    public var lastAssignedLSN: LSN { assigned.load(ordering: .acquiring) }

    /// Why the log stopped accepting writes, if it did.
    public var failure: Failure? {
        condition.lock()
        defer { condition.unlock() }
        return state.failure
    }

    public func stats() -> Stats {
        condition.lock()
        defer { condition.unlock() }
        return Stats(
            batches: state.batches, records: state.records,
            durableLSN: durableLSN, lastAssignedLSN: state.lastAssigned)
    }

    /// Queues a record for the next commit and returns its LSN. Cheap and non-blocking: call it
    /// in the same actor turn as the change it records.
    public func append(_ record: WALRecord) throws(Failure) -> LSN {
        condition.lock()
        defer { condition.unlock() }
        if let failure = state.failure { throw failure }
        if state.closing { throw Failure(reason: "shutting down") }
        state.lastAssigned += 1
        let lsn = state.lastAssigned
        state.pending.append((lsn, record))
        assigned.store(lsn, ordering: .releasing)
        if state.pending.count == 1 { condition.signal() }
        return lsn
    }

    /// Returns once `lsn` is durable; throws if the log failed before that.
    public func waitDurable(_ lsn: LSN) async throws(Failure) {
        if lsn <= durableLSN { return }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                condition.lock()
                if lsn <= durableLSN {
                    condition.unlock()
                    continuation.resume()
                } else if let failure = state.failure {
                    condition.unlock()
                    continuation.resume(throwing: failure)
                } else {
                    state.waiters.append(Waiter(lsn: lsn, continuation: continuation))
                    condition.unlock()
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: "\(error)")
        }
    }

    /// Calls `callback` once `lsn` is durable (with nil) or the log has failed before that (with
    /// the failure): at once, on this thread, when that is already decided; otherwise on the
    /// writer thread right after the commit, so the callback must only hand work elsewhere
    /// (e.g. `eventLoop.execute`). The event-loop side of the protocol waits this way, with no
    /// task or continuation per reply.
    public func whenDurable(_ lsn: LSN, _ callback: @escaping @Sendable (Failure?) -> Void) {
        if lsn <= durableLSN { return callback(nil) }
        condition.lock()
        if lsn <= durableLSN {
            condition.unlock()
            return callback(nil)
        }
        if let failure = state.failure {
            condition.unlock()
            return callback(failure)
        }
        state.callbacks.append(Callback(lsn: lsn, call: callback))
        condition.unlock()
    }

    /// Commits what is pending, stops the writer thread and syncs LMDB. Later appends fail.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if state.finished {
                condition.unlock()
                continuation.resume()
                return
            }
            state.closing = true
            state.closeWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
        try? store.environment.sync()
    }

    // MARK: - Writer thread

    /// When the writer copies committed records into the tables. Until then a record is durable
    /// in the `wal` table alone, so a group commit writes a few sequential log pages instead of
    /// one random table page per record; a checkpoint then writes each touched table page once
    /// for many records. Recovery replays what the last checkpoint had not applied.
    public struct CheckpointPolicy: Sendable {
        /// Checkpoint once this many records are waiting…
        public var records: Int
        /// …or once the last checkpoint is this old and a record is waiting.
        public var interval: Duration
        /// A checkpoint applies at most this many row changes per commit (in key order, see
        /// `CheckpointPlan`), over as many commits as it takes, so no single commit stalls the
        /// log for long.
        public var perCommit: Int

        public init(records: Int, interval: Duration, perCommit: Int = .max) {
            self.records = max(records, 1)
            self.interval = interval
            self.perCommit = max(perCommit, 1)
        }

        public static let standard = CheckpointPolicy(records: 8192, interval: .seconds(1), perCommit: 1024)
        /// Every commit applies its records: the tables are always current.
        public static let everyCommit = CheckpointPolicy(records: 1, interval: .zero)
    }

    /// The writer's own bookkeeping (touched only by the writer thread).
    private struct Checkpoints {
        /// Committed to `wal` (or about to be), not yet applied to the tables, in LSN order.
        var unapplied: [(LSN, WALRecord)] = []
        var applied: LSN
        /// When the last checkpoint finished.
        var last = ContinuousClock.now
        /// The checkpoint under way: it continues in every commit until its plan is done.
        var plan: CheckpointPlan?

        func due(_ policy: CheckpointPolicy, at now: ContinuousClock.Instant = .now) -> Bool {
            guard !unapplied.isEmpty else { return false }
            return plan != nil || unapplied.count >= policy.records || now - last >= policy.interval
        }
    }

    private func writerLoop() {
        var checkpoints = Checkpoints(applied: initiallyApplied)
        while true {
            condition.lock()
            while state.pending.isEmpty && !state.closing && state.failure == nil && !checkpoints.due(checkpointPolicy) {
                if checkpoints.unapplied.isEmpty {
                    condition.wait()
                } else {
                    let left = checkpoints.last + checkpointPolicy.interval - .now
                    condition.wait(until: Date(timeIntervalSinceNow: max(0, Self.seconds(left))))
                }
            }
            // After a failure nothing more is written: the unapplied records are in `wal`, and the
            // next start applies them. The thread just waits for close().
            if state.failure != nil {
                checkpoints.unapplied = []
                checkpoints.plan = nil
                while !state.closing { condition.wait() }
            }
            if state.pending.isEmpty && (checkpoints.unapplied.isEmpty || state.failure != nil) {
                if !state.closing {
                    condition.unlock()
                    continue
                }
                state.finished = true
                let closeWaiters = state.closeWaiters
                state.closeWaiters = []
                condition.unlock()
                closeWaiters.forEach { $0.resume() }
                return
            }
            var batch: [(LSN, WALRecord)] = []
            swap(&batch, &state.pending)
            let oldest = state.oldestRetained
            let closing = state.closing
            condition.unlock()

            let started = ContinuousClock.now
            // If this commit fails the log stops, and the next start applies what is in `wal`.
            checkpoints.unapplied.append(contentsOf: batch)
            // Closing applies everything in this commit: a plan under way is replaced by one
            // over every unapplied record (its applied part is simply written again).
            if closing || (checkpoints.plan == nil && checkpoints.due(checkpointPolicy, at: started)) {
                checkpoints.plan = checkpoints.unapplied.isEmpty ? nil : CheckpointPlan(checkpoints.unapplied[...])
            }
            var plan = checkpoints.plan
            let apply = plan?.take(closing ? .max : checkpointPolicy.perCommit) ?? []
            let completes = plan?.isDone == true
            do {
                let newOldest = try commit(
                    batch, applying: apply, newlyApplied: completes ? plan?.through : nil, applied: checkpoints.applied,
                    freed: completes ? plan?.recordCount ?? 0 : 0, oldestRetained: oldest)
                checkpoints.plan = plan
                if completes, let done = plan {
                    checkpoints.applied = done.through
                    checkpoints.unapplied.removeFirst(done.recordCount)
                    checkpoints.plan = nil
                    checkpoints.last = started
                }
                finishCommit(batch: batch, oldestRetained: newOldest, started: started)
            } catch {
                let range = batch.isEmpty ? "checkpoint" : "commit of LSN \(batch.first!.0)...\(batch.last!.0)"
                fail(reason: "\(range) failed: \(error)")
            }
        }
    }

    /// Writes one batch in one LMDB transaction, applying `applying` (a checkpoint's next row
    /// changes) to the tables and, when that finishes the checkpoint, its LSN (`newlyApplied`,
    /// which frees `freed` records for trimming); returns the new oldest retained LSN.
    private func commit(
        _ batch: [(LSN, WALRecord)], applying: ArraySlice<WALOp>, newlyApplied: LSN?, applied previouslyApplied: LSN,
        freed: Int, oldestRetained: LSN?
    ) throws -> LSN? {
        let txn = try Transaction(environment: store.environment, readOnly: false)
        for (lsn, record) in batch {
            try txn.put(Store.walTable, key: lsn.walKey, value: record.encoded())
        }
        for op in applying { try op.apply(to: txn) }
        if let last = batch.last?.0 {
            try txn.put(Store.metaTable, key: Store.lsnKey, value: last.walKey)
        }
        let applied = newlyApplied ?? previouslyApplied
        if let newlyApplied {
            try txn.put(Store.metaTable, key: Store.appliedKey, value: newlyApplied.walKey)
        }
        let last = batch.last?.0 ?? durableLSN
        var oldest = oldestRetained ?? batch.first?.0
        if let from = oldest {
            // A checkpoint may free many records at once; otherwise trimming keeps pace with appends.
            oldest = try trim(txn, last: last, applied: applied, oldest: from, budget: max(64, batch.count * 2, freed))
        }
        try txn.commit()
        return oldest
    }

    /// Deletes records older than the retention window that a checkpoint has applied, at most
    /// `budget` per commit so no single commit grows large.
    private func trim(_ txn: Transaction, last: LSN, applied: LSN, oldest: LSN, budget: Int) throws -> LSN {
        guard last >= retain else { return oldest }
        let keepFrom = min(last - retain + 1, applied + 1)
        var lsn = oldest
        var deleted = 0
        while lsn < keepFrom && deleted < budget {
            try txn.delete(Store.walTable, key: lsn.walKey)
            lsn += 1
            deleted += 1
        }
        return lsn
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func finishCommit(batch: [(LSN, WALRecord)], oldestRetained: LSN?, started: ContinuousClock.Instant) {
        guard let last = batch.last?.0 else {
            // A checkpoint alone: nothing new became durable.
            condition.lock()
            state.oldestRetained = oldestRetained
            condition.unlock()
            return
        }
        condition.lock()
        durable.store(last, ordering: .releasing)
        state.batches += 1
        state.records += UInt64(batch.count)
        state.oldestRetained = oldestRetained
        var ready: [Waiter] = []
        if !state.waiters.isEmpty {
            var waiting: [Waiter] = []
            waiting.reserveCapacity(state.waiters.count)
            for waiter in state.waiters {
                if waiter.lsn <= last { ready.append(waiter) } else { waiting.append(waiter) }
            }
            state.waiters = waiting
        }
        var due: [Callback] = []
        if !state.callbacks.isEmpty {
            var later: [Callback] = []
            for callback in state.callbacks {
                if callback.lsn <= last { due.append(callback) } else { later.append(callback) }
            }
            state.callbacks = later
        }
        condition.unlock()
        for waiter in ready { waiter.continuation.resume() }
        for callback in due { callback.call(nil) }
        onCommit(CommitReport(records: batch.count, seconds: Self.seconds(ContinuousClock.now - started), lastLSN: last))
    }

    private func fail(reason: String) {
        logger.critical("write-ahead log failed; refusing writes until restart", metadata: ["reason": "\(reason)"])
        condition.lock()
        let failure = Failure(reason: reason)
        state.failure = failure
        state.pending = []
        let waiters = state.waiters
        state.waiters = []
        let callbacks = state.callbacks
        state.callbacks = []
        condition.unlock()
        for waiter in waiters { waiter.continuation.resume(throwing: failure) }
        for callback in callbacks { callback.call(failure) }
    }
}
