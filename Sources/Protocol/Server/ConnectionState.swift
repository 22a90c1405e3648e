import NIOCore
import Synchronization

/// Whether a connection is waiting for a line, executing one, or draining (shutting down, or
/// closing after an error reply). Draining is a lingering close: no more requests are executed,
/// the replies already due are written, the output is half-closed, and input is read and dropped
/// until the client closes or `linger` passes — closing a socket with unread input would send
/// a reset that can destroy the replies still in flight to the client.
final class ConnectionState: Sendable {
    private enum Phase { case idle, busy, draining }

    private let phase = Mutex(Phase.idle)
    private let queue: ReplyQueue
    private let channel: any Channel
    private let linger: TimeAmount

    init(queue: ReplyQueue, channel: any Channel, linger: TimeAmount = .seconds(2)) {
        self.queue = queue
        self.channel = channel
        self.linger = linger
    }

    /// Called by the reader for each line; false means drop it.
    func beginRequest() -> Bool {
        phase.withLock { phase in
            guard phase != .draining else { return false }
            phase = .busy
            return true
        }
    }

    /// Called by the reader after queueing the line's reply.
    func endRequest() {
        let draining = phase.withLock { phase in
            if phase == .busy { phase = .idle }
            return phase == .draining
        }
        if draining { finishReplies() }
    }

    /// Stop executing requests. An idle connection finishes at once; a busy one after the request
    /// it is executing.
    func drain() {
        let idle = phase.withLock { phase in
            defer { phase = .draining }
            return phase == .idle
        }
        if idle { finishReplies() }
    }

    private func finishReplies() {
        queue.finish()
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
