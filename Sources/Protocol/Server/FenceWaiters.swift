import NIOCore
import Persistence

/// The connections of one event loop whose next reply waits for the log, woken together.
///
/// Each connection used to ask the log for a call back of its own, so the writer thread made one
/// `eventLoop.execute` (a lock, an allocation) per connection with a write in the batch, between
/// one commit and the next. Now the loop's connections share one request, for the lowest fence any
/// of them waits on; once it is durable, one task on the loop wakes every connection whose fence
/// the log has reached, and asks again for the lowest fence left. Commits are in LSN order, so that
/// is about one call back per commit, whatever the number of connections.
///
/// Everything here runs on `loop` (the connections' handlers call in from it, and the log's call
/// back hops onto it), which is what makes the unsynchronised state safe.
final class FenceWaiters: @unchecked Sendable {
    private let loop: any EventLoop
    private let durability: any Durability
    private var waiting: [(fence: LSN, connection: RPCChannelHandler)] = []
    /// The fence the log was last asked to call back for, until that call back runs.
    private var requested: LSN?

    init(loop: any EventLoop, durability: any Durability) {
        self.loop = loop
        self.durability = durability
    }

    /// Calls `connection.fenceReached` once `fence` is durable, or with the failure if the log
    /// stopped first.
    func wait(for fence: LSN, _ connection: RPCChannelHandler) {
        waiting.append((fence, connection))
        if let requested, requested <= fence { return }
        request(fence)
    }

    private func request(_ fence: LSN) {
        requested = fence
        let waiters = NIOLoopBound(self, eventLoop: loop)
        let loop = self.loop
        durability.whenDurable(fence) { failure in
            loop.execute { waiters.value.reached(fence, failure: failure) }
        }
    }

    private func reached(_ fence: LSN, failure: WriteAheadLog.Failure?) {
        if requested == fence { requested = nil }
        // A failed log makes no later fence durable either: every waiter learns of it now.
        let durable = durability.durableLSN
        var woken: [RPCChannelHandler] = []
        waiting.removeAll { entry in
            guard failure != nil || entry.fence <= durable else { return false }
            woken.append(entry.connection)
            return true
        }
        // A woken connection may wait again (from inside this loop), which requests its fence.
        for connection in woken { connection.fenceReached(failure: failure) }
        if requested == nil, let lowest = waiting.lazy.map(\.fence).min() { request(lowest) }
    }
}
