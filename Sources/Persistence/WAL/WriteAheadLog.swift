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
/// The durable batch then goes to the `Checkpointer`, which every so often (`CheckpointPolicy`)
/// applies the records' row ops to the domain tables, in the tables' own LMDB environment and on
/// its own thread; opening the store applies whatever a crash left unapplied.
///
/// A failed commit is fail-stop (SPEC §5.4): the log refuses every later append and every wait
/// for an undurable LSN, so nothing that is not on disk is ever acknowledged.
public final class WriteAheadLog: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// Why a write was not (or may not have been) acknowledged.
        public enum Kind: Sendable, Equatable {
            /// The log failed (fail-stop, SPEC §5.4).
            case storage
            /// Cluster mode: too few standbys made it durable in time (SPEC §10).
            case notEnoughStandbys
            /// Cluster mode: this node does not take writes (it is not, or no longer, primary).
            case notPrimary
        }

        public let reason: String
        public let kind: Kind
        public var description: String { reason }

        public init(reason: String, kind: Kind = .storage) {
            self.reason = reason
            self.kind = kind
        }
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
        /// Set by the checkpointer: the writer fails the log between two commits.
        var checkpointFailure: String?
        /// A checkpoint (or the last run's) freed records the log may now delete.
        var trimDue = true
        /// The term stamped on appended records (cluster mode; 0 on a single node).
        var term: UInt64 = 0
        /// Set while appends from the domain are refused (cluster mode: not primary, or not
        /// enough standbys); replicated records are still taken.
        var refusal: Failure?
        /// Cluster mode: the LSN up to which enough standbys have the log (`acknowledge(upTo:)`).
        var replicatedFloor: LSN = .max
    }

    private let store: Store
    private let retain: UInt64
    private var checkpointer: Checkpointer!
    private let logger: Logger
    private let onCommit: @Sendable (CommitReport) -> Void
    private let condition = NSCondition()
    private var state: State
    /// Committed here (fsync'd).
    private let localDurable: Atomic<UInt64>
    /// What may be acknowledged: `localDurable`, and in cluster mode no further than the
    /// replicated floor.
    private let durable: Atomic<UInt64>
    private let assigned: Atomic<UInt64>
    /// Cluster mode: sees each batch as the writer takes it, encoded as the log stores it, before
    /// its commit (the replication stream), on the writer thread.
    private var tap: (@Sendable (_ first: LSN, _ encoded: [[UInt8]]) -> Void)?
    /// The log's term history; the writer thread keeps it (and its copy in `meta`) current.
    private var history: TermHistory

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
        self.logger = logger
        self.onCommit = onCommit
        let last = try store.lastLSN()
        state = State(lastAssigned: last, oldestRetained: try store.firstRetainedLSN())
        state.term = try store.termHistory().lastTerm
        history = try store.termHistory()
        localDurable = Atomic(last)
        durable = Atomic(last)
        assigned = Atomic(last)
        checkpointer = Checkpointer(
            store: store, applied: try store.appliedLSN(), policy: checkpoint,
            onApplied: { [weak self] in self?.checkpointed() },
            onFailure: { [weak self] reason in
                guard let self else { return }
                condition.lock()
                state.checkpointFailure = state.checkpointFailure ?? reason
                condition.signal()
                condition.unlock()
            })
    }

    /// Starts the writer and checkpoint threads.
    public func start() {
        checkpointer.start()
        startNamedThread("pmd-wal-writer") { [weak self] in
            // close() returns only once this thread holds no reference to the log, so a closed
            // log (and its store, with the directory lock) goes away with its last owner.
            let closeWaiters = self?.writerLoop() ?? []
            closeWaiters.forEach { $0.resume() }
        }
    }

    /// The LSN up to which the tables hold every record: the last checkpoint.
    public var appliedLSN: LSN { checkpointer.appliedLSN }

    /// Returns once a checkpoint has applied `lsn` to the tables (or the log has stopped). For
    /// tests and tools that read the tables while the log runs.
    public func waitApplied(_ lsn: LSN) async { await checkpointer.waitApplied(lsn) }

    /// The highest LSN that may be acknowledged: on disk here, and in cluster mode also on enough
    /// standbys (SPEC §5.1–5.2, §10).
    public var durableLSN: LSN { durable.load(ordering: .acquiring) }

    /// The highest LSN on this node's disk.
    public var localDurableLSN: LSN { localDurable.load(ordering: .acquiring) }

    /// The term of the log's newest record.
    public var lastTerm: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return state.term
    }

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
        if let refusal = state.refusal { throw refusal }
        state.lastAssigned += 1
        let lsn = state.lastAssigned
        var record = record
        record.term = state.term
        state.pending.append((lsn, record))
        assigned.store(lsn, ordering: .releasing)
        if state.pending.count == 1 { condition.signal() }
        return lsn
    }

    // MARK: - Cluster mode

    /// A standby's append: a record from the primary's stream, at the LSN the primary gave it,
    /// which must be the next one (the stream is in order and never skips).
    public func appendReplicated(_ lsn: LSN, _ record: WALRecord) throws(Failure) {
        condition.lock()
        defer { condition.unlock() }
        if let failure = state.failure { throw failure }
        if state.closing { throw Failure(reason: "shutting down") }
        guard lsn == state.lastAssigned + 1 else {
            throw Failure(reason: "replicated record \(lsn) is out of order: the log ends at \(state.lastAssigned)", kind: .notPrimary)
        }
        guard record.term >= state.term else {
            throw Failure(reason: "replicated record \(lsn) has term \(record.term), older than the log's \(state.term)", kind: .notPrimary)
        }
        state.term = record.term
        state.lastAssigned = lsn
        state.pending.append((lsn, record))
        assigned.store(lsn, ordering: .releasing)
        if state.pending.count == 1 { condition.signal() }
    }

    /// The term stamped on records appended from now on (a new primary's).
    public func begin(term: UInt64) {
        condition.lock()
        state.term = max(state.term, term)
        condition.unlock()
    }

    /// Refuses (with `failure`) or again takes appends from the domain; replicated records are
    /// always taken.
    public func refuseAppends(_ failure: Failure?) {
        condition.lock()
        state.refusal = failure
        condition.unlock()
    }

    /// Hands every batch to `tap` as the writer takes it, before its commit: sending records to
    /// standbys while this node's own commit runs lets the two fsyncs overlap. A record a crash
    /// then takes from this node but not from a standby was never acknowledged; the next primary
    /// begins a new term after it, so it is told apart.
    public func tap(_ tap: @escaping @Sendable (_ first: LSN, _ encoded: [[UInt8]]) -> Void) {
        condition.lock()
        self.tap = tap
        condition.unlock()
    }

    /// Cluster mode: records up to `lsn` are on enough standbys. From the first call on, what
    /// may be acknowledged is bounded by this floor as well as by the local disk.
    public func acknowledge(upTo lsn: LSN) {
        condition.lock()
        state.replicatedFloor = lsn
        let (waiters, callbacks) = releaseAcknowledged()
        condition.unlock()
        for waiter in waiters { waiter.continuation.resume() }
        for callback in callbacks { callback.call(nil) }
    }

    /// Records after `lsn` stay out of the tables until this is raised (`Checkpointer.ceiling`).
    public func limitCheckpoints(to lsn: LSN) { checkpointer.ceiling.store(lsn, ordering: .releasing) }

    /// Answers every wait for an LSN not yet acknowledged with `failure` (e.g. not enough
    /// standbys); the log itself goes on.
    public func abandonWaits(_ failure: Failure) {
        condition.lock()
        let waiters = state.waiters
        let callbacks = state.callbacks
        state.waiters = []
        state.callbacks = []
        condition.unlock()
        for waiter in waiters { waiter.continuation.resume(throwing: failure) }
        for callback in callbacks { callback.call(failure) }
    }

    /// With the lock held: sets `durable` from the local disk and the replicated floor, and takes
    /// out the waits it satisfies, to be resumed once the lock is released.
    private func releaseAcknowledged() -> ([Waiter], [Callback]) {
        let last = min(localDurable.load(ordering: .acquiring), state.replicatedFloor)
        guard last > durable.load(ordering: .acquiring) else { return ([], []) }
        durable.store(last, ordering: .releasing)
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
        return (ready, due)
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

    /// Commits what is pending, applies it to the tables, stops both threads and syncs LMDB.
    /// Later appends fail.
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
        try? store.sync()
    }

    // MARK: - Writer thread

    /// Commits since the last trim; touched by the writer thread only.
    private var commitsSinceTrim = 0

    /// Runs until closed; returns the close() calls to resume.
    private func writerLoop() -> [CheckedContinuation<Void, Never>] {
        while true {
            condition.lock()
            while state.pending.isEmpty && !state.closing && state.failure == nil && state.checkpointFailure == nil
                && !state.trimDue
            {
                condition.wait()
            }
            if let reason = state.checkpointFailure, state.failure == nil {
                // Failing here, between commits, means no commit in flight lands after its
                // waiters were told it failed.
                condition.unlock()
                fail(reason: reason)
                continue
            }
            // After a failure nothing more is written: what was committed is in `wal`, and the
            // next start applies it. The thread just waits for close().
            if state.failure != nil {
                while !state.closing { condition.wait() }
            }
            if state.closing && (state.pending.isEmpty || state.failure != nil) {
                condition.unlock()
                // The checkpointer applies everything handed over before it ends.
                checkpointer.finish()
                condition.lock()
                state.finished = true
                let closeWaiters = state.closeWaiters
                state.closeWaiters = []
                condition.unlock()
                return closeWaiters
            }
            let oldest = state.oldestRetained
            if state.pending.isEmpty {
                state.trimDue = false
                condition.unlock()
                trimWhileIdle(oldest: oldest)
                continue
            }
            var batch: [(LSN, WALRecord)] = []
            swap(&batch, &state.pending)
            let tap = self.tap
            condition.unlock()
            let encoded = batch.map { $0.1.encoded() }
            tap?(batch[0].0, encoded)

            let started = ContinuousClock.now
            do {
                let newOldest = try commit(batch, encoded: encoded, applied: checkpointer.appliedLSN, oldestRetained: oldest)
                finishCommit(batch: batch, oldestRetained: newOldest, started: started)
                checkpointer.enqueue(batch)
            } catch {
                fail(reason: "commit of LSN \(batch.first!.0)...\(batch.last!.0) failed: \(error)")
            }
        }
    }

    /// Writes one batch to the log in one LMDB transaction, trimming records that are outside
    /// the retention window and already applied by a checkpoint; returns the new oldest
    /// retained LSN.
    private func commit(_ batch: [(LSN, WALRecord)], encoded: [[UInt8]], applied: LSN, oldestRetained: LSN?) throws -> LSN? {
        let txn = try Transaction(environment: store.logEnvironment, readOnly: false)
        var historyChanged = false
        for ((lsn, record), bytes) in zip(batch, encoded) {
            try txn.append(Store.walTable, key: lsn.walKey, value: bytes)
            if record.term != history.lastTerm || history.entries.isEmpty {
                historyChanged = history.note(term: record.term, at: lsn) || historyChanged
            }
        }
        if historyChanged { try txn.put(Store.metaTable, key: Store.termsKey, value: history.encoded()) }
        let last = batch.last!.0
        var oldest = oldestRetained ?? batch.first?.0
        commitsSinceTrim += 1
        if let from = oldest, commitsSinceTrim >= Self.trimEvery {
            // Trimming rewrites the pages at the log's head, so it is done every `trimEvery`
            // commits, for twice their appends: the log catches up after a checkpoint without
            // any one commit growing large, and most commits write only the tail's pages.
            let keep = keepFrom(last: last, applied: applied)
            if from < keep {
                oldest = try trim(txn, from: from, to: keep, budget: max(64, batch.count * 2) * Self.trimEvery, last: last)
            }
            commitsSinceTrim = 0
        }
        try txn.commit()
        return oldest
    }

    /// A checkpoint has finished: with no writes coming, the records it applied leave the log
    /// in transactions of their own.
    private func checkpointed() {
        condition.lock()
        if let oldest = state.oldestRetained, oldest < keepFrom(last: durableLSN, applied: checkpointer.appliedLSN) {
            state.trimDue = true
            condition.signal()
        }
        condition.unlock()
    }

    private func trimWhileIdle(oldest: LSN?) {
        guard let oldest else { return }
        let target = keepFrom(last: durableLSN, applied: checkpointer.appliedLSN)
        guard oldest < target else { return }
        do {
            let txn = try Transaction(environment: store.logEnvironment, readOnly: false)
            let reached = try trim(txn, from: oldest, to: target, budget: 4096, last: durableLSN)
            try txn.commit()
            condition.lock()
            state.oldestRetained = reached
            if reached < target { state.trimDue = true }
            condition.unlock()
        } catch {
            fail(reason: "trimming the log failed: \(error)")
        }
    }

    /// The oldest record the log keeps: the retention window's first, or the first record no
    /// checkpoint has applied yet, whichever is older.
    private func keepFrom(last: LSN, applied: LSN) -> LSN {
        guard last >= retain else { return 0 }
        return min(last - retain + 1, applied + 1)
    }

    /// Commits between two trims (see `commit`).
    static let trimEvery = 16

    /// Deletes records from `from` up to (not including) `to`, at most `budget` of them, so no
    /// single commit grows large; returns the new oldest retained LSN. Trimming is what can leave
    /// the log without records, so it also notes `last`, the log's last LSN, in `meta`
    /// (`Store.lastLSN`); commits that do not trim leave the last key to say it.
    private func trim(_ txn: Transaction, from: LSN, to keepFrom: LSN, budget: Int, last: LSN) throws -> LSN {
        try txn.put(Store.metaTable, key: Store.lsnKey, value: last.walKey)
        var lsn = from
        var deleted = 0
        while lsn < keepFrom && deleted < budget {
            try txn.delete(Store.walTable, key: lsn.walKey)
            lsn += 1
            deleted += 1
        }
        return lsn
    }

    private func finishCommit(batch: [(LSN, WALRecord)], oldestRetained: LSN?, started: ContinuousClock.Instant) {
        let last = batch.last!.0
        condition.lock()
        localDurable.store(last, ordering: .releasing)
        state.batches += 1
        state.records += UInt64(batch.count)
        state.oldestRetained = oldestRetained
        let (ready, due) = releaseAcknowledged()
        condition.unlock()
        for waiter in ready { waiter.continuation.resume() }
        for callback in due { callback.call(nil) }
        onCommit(CommitReport(records: batch.count, seconds: (ContinuousClock.now - started) / .seconds(1), lastLSN: last))
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
        checkpointer.stop()
        for waiter in waiters { waiter.continuation.resume(throwing: failure) }
        for callback in callbacks { callback.call(failure) }
    }
}
