import Logging
import NIOCore
import NIOExtras
import NIOPosix
import Persistence
import Synchronization

/// The JSON-RPC listener: NIO accepts connections, nio-extras' `LineBasedFrameDecoder` frames
/// lines (with `ByteToMessageHandler`'s buffer limit bounding a line that never ends), and each
/// connection runs a reader (executes requests in order) and a writer (waits for durability,
/// writes responses in the same order).
public final class RPCServer: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var maxLine: Int
        public var rpcKey: String?
        /// Responses a connection may hold back (waiting to be written) before it stops reading,
        /// by count and by bytes.
        public var maxPendingReplies: Int
        public var maxPendingBytes: Int

        public init(
            host: String, port: Int, maxLine: Int, rpcKey: String?, maxPendingReplies: Int = 256,
            maxPendingBytes: Int = 1 << 20
        ) {
            self.host = host
            self.port = port
            self.maxLine = maxLine
            self.rpcKey = rpcKey
            self.maxPendingReplies = maxPendingReplies
            self.maxPendingBytes = maxPendingBytes
        }
    }

    private let settings: Settings
    private let registry: MethodRegistry
    private let durability: any Durability
    private let logger: Logger
    private let group: any EventLoopGroup
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let open = Mutex<[UInt64: (channel: any Channel, state: ConnectionState)]>([:])
    private let nextConnectionID = Atomic<UInt64>(0)
    private let accepted = Atomic<Int>(0)

    /// The bound address (useful with port 0).
    public let localAddress: String
    public let localPort: Int

    /// Binds the listener; `run()` then serves it.
    public init(
        settings: Settings, registry: MethodRegistry, durability: any Durability,
        group: any EventLoopGroup, logger: Logger
    ) async throws {
        self.settings = settings
        self.registry = registry
        self.durability = durability
        self.group = group
        self.logger = logger
        let maxBuffered = settings.maxLine + 2
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Keep the write side open after the client's EOF: `printf … | nc` must still get answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .bind(host: settings.host, port: settings.port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineBasedFrameDecoder(), maximumBufferSize: maxBuffered))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: child,
                        configuration: .init(
                            // Few lines buffered ahead: with megabyte lines this is what bounds a
                            // connection's input memory; pipelined small lines arrive many per read anyway.
                            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8),
                            isOutboundHalfClosureEnabled: true))
                }
            }
        localAddress = channel.channel.localAddress?.ipAddress ?? settings.host
        localPort = channel.channel.localAddress?.port ?? settings.port
    }

    /// Open connections now; connections accepted since start.
    public var connectionCounts: (open: Int, accepted: Int) {
        (open.withLock { $0.count }, accepted.load(ordering: .relaxed))
    }

    /// Accepts and serves connections until `stopAccepting()`; returns when every connection has
    /// finished.
    public func run() async throws {
        try await channel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Graceful shutdown, step one: stop accepting, and drain every connection: the request
    /// being executed finishes, due replies are written, then the connection closes.
    public func stopAccepting() {
        channel.channel.close(promise: nil)
        for connection in open.withLock({ Array($0.values) }) { connection.state.drain() }
    }

    /// Graceful shutdown, last resort after the grace period: close every connection now.
    public func closeAll() {
        for connection in open.withLock({ Array($0.values) }) { connection.channel.close(promise: nil) }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let id = nextConnectionID.add(1, ordering: .relaxed).newValue
        accepted.add(1, ordering: .relaxed)
        let queue = ReplyQueue(capacity: settings.maxPendingReplies, byteCapacity: settings.maxPendingBytes)
        let state = ConnectionState(queue: queue, channel: connection.channel)
        open.withLock { $0[id] = (connection.channel, state) }
        defer { _ = open.withLock { $0.removeValue(forKey: id) } }
        let remote = connection.channel.remoteAddress?.description ?? "?"
        let info = ConnectionInfo(id: id, remote: remote)
        var session = RPCSession(
            registry: registry, durability: durability, info: info, maxLine: settings.maxLine, rpcKey: settings.rpcKey)
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await self.write(queue, to: outbound) }
                    await self.read(inbound, into: queue, state: state, session: &session)
                    try await tasks.waitForAll()
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["connection": "\(id)", "error": "\(error)"])
        }
    }

    /// Executes lines in order until the client closes its side. While draining, lines are read
    /// and dropped (see `ConnectionState`).
    private func read(
        _ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, into queue: ReplyQueue, state: ConnectionState,
        session: inout RPCSession
    ) async {
        defer { queue.finish() }
        let maxLine = settings.maxLine
        do {
            for try await line in inbound {
                guard state.beginRequest() else { continue }
                let input = line.withUnsafeReadableBytes { RPCSession.classify($0, maxLine: maxLine) }
                if let reply = await session.handle(input) {
                    await queue.push(reply)
                    if reply.closeAfter { state.drain() }
                }
                state.endRequest()
            }
        } catch is ByteToMessageDecoderError.PayloadTooLargeError {
            await queue.push(await session.handle(.tooLarge)!)
            state.drain()
        } catch let leftover as NIOExtrasErrors.LeftOverBytesError {
            // The client closed its side after a last line without "\n": answer it anyway.
            let input = leftover.leftOverBytes.withUnsafeReadableBytes { RPCSession.classify($0, maxLine: maxLine) }
            if let reply = await session.handle(input) { await queue.push(reply) }
        } catch {
            logger.debug("read failed", metadata: ["error": "\(error)"])
        }
    }

    /// Writes replies in order, each only after its fence is durable. If the log failed before
    /// that, the reply is not an acknowledgement any more: it becomes 503 for the same ids.
    private func write(_ queue: ReplyQueue, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        defer { queue.finish() }
        let allocator = ByteBufferAllocator()
        while let replies = await queue.next() {
            let fence = replies.reduce(0) { max($0, $1.fence) }
            var ready = replies
            do {
                try await durability.waitDurable(fence)
            } catch {
                let durable = durability.durableLSN
                for index in ready.indices where ready[index].fence > durable {
                    ready[index].bytes = Self.unavailable(ready[index], reason: error.reason)
                }
            }
            var buffer = allocator.buffer(capacity: ready.reduce(0) { $0 + $1.bytes.count })
            for reply in ready { buffer.writeBytes(reply.bytes) }
            try await outbound.write(buffer)
        }
        // Half-close: the client reads every reply, then end of stream.
        outbound.finish()
    }

    static func unavailable(_ reply: PendingReply, reason: String) -> [UInt8] {
        let error = RPCError.application(code: 503, kind: "unavailable", message: "Persistence failed; the write was not saved")
        if !reply.isBatch { return RPCEncoder.line(id: reply.ids.first ?? .null, outcome: .failure(error)) }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, id) in reply.ids.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            RPCEncoder.failure(id: id, error: error, into: &out)
        }
        out += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
        return out
    }
}
