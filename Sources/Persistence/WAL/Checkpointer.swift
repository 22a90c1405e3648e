import Foundation
import Synchronization

/// Copies committed log records into the tables, on a thread of its own and in the tables' own
/// LMDB environment, so a group commit never waits for table pages (`Store`).
///
/// The log's writer hands over each batch once it is durable; nothing reaches the tables that
/// the log does not hold, so the tables' checkpoint LSN never passes the log's last LSN. A
/// checkpoint takes everything handed over so far (`CheckpointPlan`: the last change of each row,
/// in key order) and writes it in transactions of at most `perCommit` row changes, the last of
/// which records the checkpoint LSN. The log keeps a record until a checkpoint has applied it.
final class Checkpointer: @unchecked Sendable {
    private struct State {
        var queued: [(LSN, WALRecord)] = []
        var closing = false
        var stopped = false
        var finished = false
        var appliedWaiters: [(LSN, CheckedContinuation<Void, Never>)] = []
    }

    private let store: Store
    private let policy: WriteAheadLog.CheckpointPolicy
    private let onApplied: @Sendable () -> Void
    private let onFailure: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var state = State()
    private let applied: Atomic<UInt64>
    private let exited = Latch()
    /// Batches wait to be handed over while this many records are queued: a checkpointer that
    /// falls behind slows the log down rather than letting memory grow without bound.
    private let queueLimit: Int
    /// Records after this LSN stay out of the tables (cluster mode: a record reaches the tables
    /// only once the cluster has acknowledged it, so a rejoining node can still discard it with
    /// `Store.truncateLog`). `.max` on a single node.
    let ceiling = Atomic<UInt64>(.max)

    /// - Parameters:
    ///   - onApplied: called (on the checkpoint thread) after each checkpoint.
    ///   - onFailure: called once if a checkpoint fails; the checkpointer then stops.
    init(
        store: Store, applied: LSN, policy: WriteAheadLog.CheckpointPolicy,
        onApplied: @escaping @Sendable () -> Void, onFailure: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.policy = policy
        self.onApplied = onApplied
        self.onFailure = onFailure
        self.applied = Atomic(applied)
        queueLimit = max(policy.records.multipliedReportingOverflow(by: 4).partialValue, 65_536)
    }

    func start() {
        startNamedThread("pmd-checkpoint") { [weak self, exited] in
            Self.yieldToForegroundWork()
            self?.run()
            exited.open()
        }
    }

    /// Lowers this thread's scheduling priority (nice 10; Linux's nice value is per thread).
    ///
    /// A checkpoint is a burst of CPU — tens of thousands of row changes planned and put — that
    /// no caller waits for, while the event loop and the log's writer answer callers. On a small
    /// machine all of them share the same cores; at equal priority a burst takes a core from
    /// requests for as long as it runs, which showed as the tail of write latency. At nice 10 it
    /// still gets about a tenth of a contended core, so it keeps up (and `queueLimit` slows
    /// appends down if it ever falls far behind) rather than starving.
    private static func yieldToForegroundWork() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    /// The last checkpoint LSN committed to the tables.
    var appliedLSN: LSN { applied.load(ordering: .acquiring) }

    /// Hands over a durable batch (the log's writer thread, after its commit).
    func enqueue(_ batch: [(LSN, WALRecord)]) {
        condition.lock()
        while state.queued.count >= queueLimit && !state.stopped { condition.wait() }
        if !state.stopped {
            let before = state.queued.count
            state.queued.append(contentsOf: batch)
            if Self.wakes(queuedBefore: before, after: state.queued.count, policy: policy) { condition.broadcast() }
        }
        condition.unlock()
    }

    /// Whether a hand-over must wake the checkpoint thread. It waits without a deadline only while
    /// nothing is queued; once something is, it waits until the interval is up and wakes by
    /// itself. So only the first batch after a checkpoint, and the one that makes the queue reach
    /// `policy.records`, need a wake-up — not every commit: `perf sched` showed the writer waking
    /// this thread after each of ~3,500 commits a second, a futex wake (and, when its core was
    /// idle, an interrupt to it) between one commit and the next, for a thread that looked at the
    /// queue and went back to sleep.
    static func wakes(queuedBefore before: Int, after: Int, policy: WriteAheadLog.CheckpointPolicy) -> Bool {
        before == 0 || (before < policy.records && after >= policy.records)
    }

    /// Applies everything handed over (up to the ceiling), then ends the thread; returns when it
    /// has, and no longer holds a reference to this checkpointer or the store.
    func finish() {
        condition.lock()
        state.closing = true
        condition.broadcast()
        condition.unlock()
        exited.wait()
    }

    /// Ends the thread without applying more (the log failed: the next start replays from the
    /// last checkpoint).
    func stop() {
        condition.lock()
        state.stopped = true
        state.queued = []
        condition.broadcast()
        condition.unlock()
    }

    /// Returns once a checkpoint through `lsn` is committed (or the checkpointer has stopped).
    func waitApplied(_ lsn: LSN) async {
        if lsn <= appliedLSN { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if lsn <= appliedLSN || state.finished || state.stopped {
                condition.unlock()
                continuation.resume()
            } else {
                state.appliedWaiters.append((lsn, continuation))
                condition.unlock()
            }
        }
    }

    private func due(now: ContinuousClock.Instant, last: ContinuousClock.Instant) -> Bool {
        guard let first = state.queued.first else { return false }
        if state.closing { return true }
        guard first.0 <= ceiling.load(ordering: .acquiring) else { return false }
        return state.queued.count >= policy.records || now - last >= policy.interval
    }

    /// Takes the queued records the ceiling allows, oldest first.
    private func takeEligible() -> [(LSN, WALRecord)] {
        let limit = ceiling.load(ordering: .acquiring)
        guard let first = state.queued.first, first.0 <= limit else { return [] }
        if state.queued.last!.0 <= limit {
            var all: [(LSN, WALRecord)] = []
            swap(&all, &state.queued)
            return all
        }
        let cut = state.queued.firstIndex { $0.0 > limit }!
        let taken = Array(state.queued[..<cut])
        state.queued.removeFirst(cut)
        return taken
    }

    private func run() {
        var last = ContinuousClock.now
        while true {
            condition.lock()
            while !state.stopped && !(state.closing && state.queued.isEmpty) && !due(now: .now, last: last) {
                if state.queued.isEmpty {
                    condition.wait()
                } else if state.queued[0].0 > ceiling.load(ordering: .acquiring) {
                    // Held back by the ceiling, whose changes do not wake this thread: look again soon.
                    _ = condition.wait(until: Date(timeIntervalSinceNow: 0.5))
                } else {
                    let left = (last + policy.interval - .now) / .seconds(1)
                    _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, left)))
                }
            }
            let records = state.stopped ? [] : takeEligible()
            // Closing with nothing (more) the ceiling allows: what is left stays in the log, and
            // the next start replays it.
            if state.stopped || state.queued.isEmpty && records.isEmpty || state.closing && records.isEmpty {
                state.finished = true
                let waiters = state.appliedWaiters
                state.appliedWaiters = []
                condition.broadcast()
                condition.unlock()
                waiters.forEach { $0.1.resume() }
                return
            }
            condition.broadcast()
            condition.unlock()
            last = .now
            // Nothing under the ceiling yet: wait for the next interval or hand-over.
            if records.isEmpty { continue }

            var plan = CheckpointPlan(records[...])
            do {
                repeat {
                    let started = ContinuousClock.now
                    let changes = plan.take(policy.perCommit)
                    try store.applyCheckpoint(changes, completing: plan.isDone ? plan.through : nil)
                    if !plan.isDone { pause(ContinuousClock.now - started) }
                } while !plan.isDone
            } catch {
                onFailure("checkpoint through LSN \(plan.through) failed: \(error)")
                stop()
                continue
            }
            applied.store(plan.through, ordering: .releasing)
            resumeWaiters(through: plan.through)
            onApplied()
        }
    }

    /// Waits about as long as the last slice took (less when closing), so a checkpoint's page writes
    /// come in slices with gaps between them rather than as one flood.
    private func pause(_ duration: Duration) {
        let deadline = Date(timeIntervalSinceNow: min(duration / .seconds(1), 0.5))
        condition.lock()
        // A hand-over that reaches `policy.records` wakes the condition too, but only closing cuts
        // the pause short.
        while !state.closing && !state.stopped && Date() < deadline { _ = condition.wait(until: deadline) }
        condition.unlock()
    }

    private func resumeWaiters(through lsn: LSN) {
        condition.lock()
        guard !state.appliedWaiters.isEmpty else { return condition.unlock() }
        var ready: [CheckedContinuation<Void, Never>] = []
        state.appliedWaiters.removeAll { waiter in
            guard waiter.0 <= lsn else { return false }
            ready.append(waiter.1)
            return true
        }
        condition.unlock()
        ready.forEach { $0.resume() }
    }
}

extension WriteAheadLog {
    /// When the checkpointer copies committed records into the tables. Until then a record is
    /// durable in the `wal` table alone, so a group commit writes a few sequential log pages
    /// instead of one random table page per record; a checkpoint then writes each touched table
    /// page once for many records. Recovery replays what the last checkpoint had not applied.
    public struct CheckpointPolicy: Sendable {
        /// Checkpoint once this many records are waiting…
        public var records: Int
        /// …or once the last checkpoint is this old and a record is waiting.
        public var interval: Duration
        /// A checkpoint applies at most this many row changes per transaction of the tables (in
        /// key order, see `CheckpointPlan`), over as many as it takes, which bounds LMDB's dirty
        /// pages per transaction.
        public var perCommit: Int

        public init(records: Int, interval: Duration, perCommit: Int = .max) {
            self.records = max(records, 1)
            self.interval = interval
            self.perCommit = max(perCommit, 1)
        }

        /// Measured at 100k users (`users.update`, 50 connections): block-layer bytes written per
        /// update 13 KiB with checkpoints of 8,192 records or a second, 4.7–6.6 KiB with these,
        /// since each checkpoint rewrites most leaf pages of a table whose rows are spread over
        /// all of them, whatever the number of records. A crash replays at most about this many.
        /// Applied 2,048 rows per transaction, each followed by a pause as long as it took
        /// (`Checkpointer.pause`): one transaction of 16,384 rows handed the disk tens of MB at
        /// once, and the log's group commits waited behind them — at 100k users the median write
        /// p99 of four alternating `bench/ab` runs went from 11.9 to 6.7 ms with the slices.
        public static let standard = CheckpointPolicy(records: 65_536, interval: .seconds(5), perCommit: 2_048)
        /// Each batch is applied as soon as it is durable: the tables trail the log by moments
        /// (`waitApplied`).
        public static let everyCommit = CheckpointPolicy(records: 1, interval: .zero)
    }
}
