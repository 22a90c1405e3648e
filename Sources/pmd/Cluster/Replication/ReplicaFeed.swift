import DequeModule
import Persistence
import Synchronization

/// Between a standby's log and its memory: records received from the primary wait here until
/// this node's log has committed them, then go to memory (`ReplicaApplier`) in order. It outlives
/// connections — a record received just before a stream broke is committed, and applied, after —
/// and tells the stream that is current (if any) of each commit, which it acknowledges.
final class ReplicaFeed: Sendable {
    private struct State {
        var uncommitted: Deque<(LSN, WALRecord)> = []
        var listener: (@Sendable (LSN) -> Void)?
    }

    private let state = Mutex(State())
    private let apply: @Sendable ([(LSN, WALRecord)]) -> Void

    init(apply: @escaping @Sendable ([(LSN, WALRecord)]) -> Void) { self.apply = apply }

    func received(_ lsn: LSN, _ record: WALRecord) { state.withLock { $0.uncommitted.append((lsn, record)) } }

    var uncommittedCount: Int { state.withLock { $0.uncommitted.count } }

    /// The current stream's ear for commits; nil when there is none.
    func listen(_ listener: (@Sendable (LSN) -> Void)?) { state.withLock { $0.listener = listener } }

    /// From the log's writer thread, after a commit through `lsn`.
    func committed(through lsn: LSN) {
        let (done, listener) = state.withLock { state -> ([(LSN, WALRecord)], (@Sendable (LSN) -> Void)?) in
            var done: [(LSN, WALRecord)] = []
            while let first = state.uncommitted.first, first.0 <= lsn { done.append(state.uncommitted.removeFirst()) }
            return (done, state.listener)
        }
        if !done.isEmpty { apply(done) }
        listener?(lsn)
    }
}
