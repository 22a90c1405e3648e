import DequeModule
import Persistence
import Synchronization

/// A response line waiting to be written: it leaves only when `fence` is durable (SPEC §5.1–5.2).
struct PendingReply: Sendable {
    var bytes: [UInt8]
    var fence: LSN
    /// Close the connection after writing (oversized line, failed `rpc.auth`).
    var closeAfter: Bool = false
    /// The ids answered by this line, so a durability failure can be answered with 503 instead.
    var ids: [JSON] = []
    var isBatch = false
}

/// The bounded hand-off between a connection's reader (which executes requests in order) and its
/// writer (which waits for durability and writes in the same order). When the writer is stuck
/// behind a client that does not read, the reader stops at `capacity`, stops reading the socket,
/// and TCP back-pressure does the rest: memory per connection stays bounded (SPEC §5.5).
final class ReplyQueue: Sendable {
    private struct State {
        var items: Deque<PendingReply> = []
        var bytes = 0
        var finished = false
        var consumer: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let byteCapacity: Int

    /// Full at `capacity` replies or `byteCapacity` bytes, whichever comes first; a single reply
    /// larger than `byteCapacity` still goes through when the queue is empty.
    init(capacity: Int, byteCapacity: Int) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
    }

    private func isFull(_ state: State, adding size: Int) -> Bool {
        !state.finished && !state.items.isEmpty
            && (state.items.count >= capacity || state.bytes + size > byteCapacity)
    }

    /// Adds a reply, waiting while the queue is full.
    func push(_ reply: PendingReply) async {
        let size = reply.bytes.count
        while true {
            let waitForRoom: Bool = state.withLock { isFull($0, adding: size) }
            if !waitForRoom { break }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !isFull(state, adding: size) { return true }
                    state.producer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            // After finish() nobody will write: drop the reply rather than hold it.
            if state.finished { return nil }
            state.items.append(reply)
            state.bytes += size
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// Everything queued right now (at least one reply), or nil once finished and drained.
    func next() async -> [PendingReply]? {
        while true {
            enum Step { case items([PendingReply], CheckedContinuation<Void, Never>?), done, wait }
            let step: Step = state.withLock { state in
                if !state.items.isEmpty {
                    let items = Array(state.items)
                    state.items.removeAll(keepingCapacity: true)
                    state.bytes = 0
                    defer { state.producer = nil }
                    return .items(items, state.producer)
                }
                return state.finished ? .done : .wait
            }
            switch step {
            case let .items(items, producer):
                producer?.resume()
                return items
            case .done:
                return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.items.isEmpty || state.finished { return true }
                        state.consumer = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// No more replies will be taken or written; releases both sides.
    func finish() {
        let (consumer, producer) = state.withLock { state in
            state.finished = true
            defer {
                state.consumer = nil
                state.producer = nil
            }
            return (state.consumer, state.producer)
        }
        consumer?.resume()
        producer?.resume()
    }
}
