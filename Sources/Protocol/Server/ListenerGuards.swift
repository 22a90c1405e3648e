import Logging
import NIOCore
import Synchronization

/// What the listener has seen of its connections, for `system.stats` and `/metrics`.
public struct ConnectionCounts: Sendable, Equatable {
    public var open = 0
    public var accepted = 0
    /// Turned away at `PMD_MAX_CONNECTIONS`.
    public var refused = 0
    /// Closed after `PMD_IDLE_TIMEOUT` without a byte from the client.
    public var idleClosed = 0
    /// `accept` failures (e.g. out of file descriptors), each followed by a pause in accepting.
    public var acceptErrors = 0

    public init() {}
}

/// On the listening socket: when `accept` fails (most often EMFILE, out of file descriptors) the
/// connection stays in the kernel's queue and the socket stays readable, so accepting again at
/// once fails again — NIO's own `AcceptBackoffHandler` does not stop that here, because a failed
/// accept leaves NIO's read pending and the socket registered. This handler turns reading off
/// (`autoRead`, which takes the socket out of the poll set) for `pause`, then on again, counts
/// every failure and logs them at most once per `logEvery`.
final class AcceptPause: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel

    private let logger: Logger
    private let pause: TimeAmount
    private let logEvery: Duration
    private let onError: @Sendable () -> Void
    private let state = Mutex<(lastLogged: ContinuousClock.Instant?, unlogged: Int)>((nil, 0))

    init(logger: Logger, pause: TimeAmount = .seconds(1), logEvery: Duration = .seconds(10), onError: @escaping @Sendable () -> Void) {
        self.logger = logger
        self.pause = pause
        self.logEvery = logEvery
        self.onError = onError
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.fireChannelRead(data) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        onError()
        if let options = context.channel.syncOptions, (try? options.getOption(.autoRead)) == true {
            try? options.setOption(.autoRead, value: false)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: pause) {
                try? channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }
        log(error)
    }

    private func log(_ error: any Error) {
        let now = ContinuousClock.now
        let count = state.withLock { state -> Int? in
            state.unlogged += 1
            if let last = state.lastLogged, now - last < logEvery { return nil }
            state.lastLogged = now
            defer { state.unlogged = 0 }
            return state.unlogged
        }
        guard let count else { return }
        logger.error(
            "accepting a connection failed; accepting pauses for a second",
            metadata: [
                "error": "\(error)", "failures": "\(count)",
                "hint": "raise the file-descriptor limit (ulimit -n) or lower PMD_MAX_CONNECTIONS",
            ])
    }
}

/// Answers a connection over `PMD_MAX_CONNECTIONS` with one JSON-RPC error line and closes it,
/// so the client learns why instead of seeing a bare reset (Redis does the same at `maxclients`).
/// A refused connection is not counted, so it is closed after `patience` even when the line
/// cannot be written (a client that never finishes its TLS handshake, or never reads).
final class RefuseConnectionHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let error = RPCError.application(code: 503, kind: "unavailable", message: "Too many connections")
    static let patience = TimeAmount.seconds(5)

    func channelActive(context: ChannelHandlerContext) {
        let line = RPCEncoder.line(id: .null, outcome: .failure(Self.error))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: line))).whenComplete { _ in
            channel.close(promise: nil)
        }
        context.eventLoop.scheduleTask(in: Self.patience) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
