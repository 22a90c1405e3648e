import Logging
import NIOCore
import NIOPosix
import Persistence
import Synchronization

/// The JSON-RPC listener: NIO accepts connections, and an `RPCChannelHandler` per connection
/// frames lines (nio-extras' `LineBasedFrameDecoder`, with a buffer limit bounding a line that
/// never ends), executes requests in order and writes replies in order.
public final class RPCServer: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var maxLine: Int
        public var rpcKey: String?
        /// Connections beyond this many are answered "Too many connections" and closed.
        public var maxConnections: Int
        /// A connection that sends nothing for this long, with no request of its running, is
        /// closed; nil never closes one.
        public var idleTimeout: Duration?
        /// Adds handlers at the front of every connection's pipeline, below everything the
        /// listener adds (pmd puts TLS there). A closure rather than a TLS setting, so this module
        /// does not depend on NIOSSL; nil adds nothing, so a plain connection costs what it did.
        public var addFirstHandlers: (@Sendable (any Channel) throws -> Void)?

        public init(
            host: String, port: Int, maxLine: Int, rpcKey: String?, maxConnections: Int = .max, idleTimeout: Duration? = nil,
            addFirstHandlers: (@Sendable (any Channel) throws -> Void)? = nil
        ) {
            self.host = host
            self.port = port
            self.maxLine = maxLine
            self.rpcKey = rpcKey
            self.maxConnections = maxConnections
            self.idleTimeout = idleTimeout
            self.addFirstHandlers = addFirstHandlers
        }
    }

    private let logger: Logger
    private let channel: any Channel
    private let connections = ConnectionTable()

    /// The bound address (useful with port 0).
    public let localAddress: String
    public let localPort: Int

    /// Binds the listener; connections are served from then on, until `stopAccepting()`.
    public init(
        settings: Settings, registry: MethodRegistry, durability: any Durability,
        group: any EventLoopGroup, logger: Logger
    ) async throws {
        self.logger = logger
        let connections = self.connections
        let maxBuffered = settings.maxLine + 2
        var fencesByLoop: [ObjectIdentifier: FenceWaiters] = [:]
        for loop in group.makeIterator() {
            fencesByLoop[ObjectIdentifier(loop)] = FenceWaiters(loop: loop, durability: durability)
        }
        let fences = fencesByLoop
        let limits = {
            var limits = RPCChannelHandler.Limits()
            limits.idleTimeout = settings.idleTimeout.map { TimeAmount.nanoseconds(Int64($0 / .nanoseconds(1))) }
            return limits
        }()
        let acceptPause = AcceptPause(logger: logger) { connections.countAcceptError() }
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A failing accept (out of file descriptors) pauses accepting instead of spinning,
            // and is logged.
            .serverChannelInitializer { server in
                server.eventLoop.makeCompletedFuture { try server.pipeline.syncOperations.addHandler(acceptPause) }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Keep the write side open after the client's EOF: `printf … | nc` must still get answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                let addFirstHandlers = settings.addFirstHandlers
                guard let id = connections.admit(max: settings.maxConnections) else {
                    // Refused over the same protocol (TLS too), so the client can read why.
                    return child.eventLoop.makeCompletedFuture {
                        try addFirstHandlers?(child)
                        try child.pipeline.syncOperations.addHandler(RefuseConnectionHandler())
                    }
                }
                let info = ConnectionInfo(id: id, remote: child.remoteAddress?.description ?? "?")
                let session = RPCSession(
                    registry: registry, durability: durability, info: info, maxLine: settings.maxLine,
                    rpcKey: settings.rpcKey)
                let handler = RPCChannelHandler(
                    session: session, fences: fences[ObjectIdentifier(child.eventLoop)]!, maxBuffered: maxBuffered,
                    limits: limits, onIdleClose: { connections.countIdleClose() }
                ) { connections.remove(id) }
                let bound = NIOLoopBound(handler, eventLoop: child.eventLoop)
                let loop = child.eventLoop
                connections.add(id, ConnectionTable.Connection(channel: child, drain: { loop.execute { bound.value.drain() } }))
                return child.eventLoop.makeCompletedFuture {
                    do {
                        try addFirstHandlers?(child)
                    } catch {
                        // The handler that would have removed it on close is never added.
                        connections.remove(id)
                        throw error
                    }
                    try child.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: settings.host, port: settings.port).get()
        localAddress = channel.localAddress?.ipAddress ?? settings.host
        localPort = channel.localAddress?.port ?? settings.port
    }

    /// Open connections now, and what happened to connections since start.
    public var connectionCounts: ConnectionCounts { connections.counts }

    /// Serves until `stopAccepting()`; returns once every connection has closed.
    public func run() async throws {
        try await channel.closeFuture.get()
        await connections.waitUntilEmpty()
    }

    /// Graceful shutdown, step one: stop accepting, and drain every connection: the request
    /// being executed finishes, due replies are written, then the connection closes.
    public func stopAccepting() {
        channel.close(promise: nil)
        for connection in connections.all { connection.drain() }
    }

    /// Graceful shutdown, last resort after the grace period: close every connection now.
    public func closeAll() {
        for connection in connections.all { connection.channel.close(promise: nil) }
    }
}

/// The open connections, as the server sees them from outside their event loops.
private final class ConnectionTable: Sendable {
    struct Connection: Sendable {
        let channel: any Channel
        let drain: @Sendable () -> Void
    }

    private struct State {
        var open: [UInt64: Connection] = [:]
        /// Admitted and not yet removed: counted from `admit`, before `add` registers the channel.
        var admitted = 0
        var counts = ConnectionCounts()
        var lastID: UInt64 = 0
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// An id for a new connection, or nil when `max` are already open (counted as refused).
    func admit(max: Int) -> UInt64? {
        state.withLock { state in
            guard state.admitted < max else {
                state.counts.refused += 1
                return nil
            }
            state.admitted += 1
            state.lastID += 1
            state.counts.accepted += 1
            return state.lastID
        }
    }

    func add(_ id: UInt64, _ connection: Connection) { state.withLock { $0.open[id] = connection } }

    func countIdleClose() { state.withLock { $0.counts.idleClosed += 1 } }

    func countAcceptError() { state.withLock { $0.counts.acceptErrors += 1 } }

    func remove(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open[id] = nil
            state.admitted -= 1
            guard state.open.isEmpty else { return [] }
            defer { state.emptyWaiters = [] }
            return state.emptyWaiters
        }
        waiters.forEach { $0.resume() }
    }

    var all: [Connection] { state.withLock { Array($0.open.values) } }

    var counts: ConnectionCounts {
        state.withLock { state in
            var counts = state.counts
            counts.open = state.admitted
            return counts
        }
    }

    func waitUntilEmpty() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let empty = state.withLock { state -> Bool in
                if state.open.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if empty { continuation.resume() }
        }
    }
}
