import Logging
import NIOCore
import NIOPosix
import Persistence

/// The primary's end of one standby's stream (after `replication.start` handed the connection
/// over): sends records from where the standby stands, as fast as the socket takes them and no
/// faster — nothing is queued for a standby beyond what the socket is ready for (back-pressure),
/// and each record is sent once. Records come from the hub's ring, or from the log when the
/// standby is further behind. A status frame every `heartbeat` carries the term and what the
/// cluster has acknowledged; the standby answers with acks of what it made durable.
final class ReplicationSender: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ReplicationFrame
    typealias OutboundOut = ByteBuffer

    struct Source: Sendable {
        let hub: ReplicationHub
        let store: Store
        /// Reads of older records, off the event loop.
        let reads: NIOThreadPool
        let term: UInt64
        let logger: Logger
    }

    private let node: String
    private let address: String
    private let source: Source
    private var next: LSN
    private var reading = false
    private var context: ChannelHandlerContext?
    private var heartbeat: RepeatedTask?
    static let heartbeatInterval = TimeAmount.milliseconds(200)
    static let frameBytes = 1 << 20

    init(node: String, address: String, from: LSN, source: Source) {
        self.node = node
        self.address = address
        self.next = from
        self.source = source
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        source.hub.attach(node, address: address, durable: next - 1) { loop.execute { handler.value.pump() } }
        heartbeat = loop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.heartbeatInterval) { _ in
            handler.value.sendStatus()
        }
        source.logger.info("standby attached", metadata: ["node": "\(node)", "from": "\(next)"])
        pump()
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func stop() {
        guard context != nil else { return }
        context = nil
        heartbeat?.cancel()
        source.hub.detach(node)
        source.logger.info("standby detached", metadata: ["node": "\(node)"])
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case let .ack(durable) = unwrapInboundIn(data) { source.hub.ack(node, durable: durable) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        source.logger.warning("replication stream failed", metadata: ["node": "\(node)", "error": "\(error)"])
        context.close(promise: nil)
    }

    private func sendStatus() {
        guard let context else { return }
        let wal = source.hub.wal
        context.writeAndFlush(
            wrapOutboundOut(
                ByteBuffer(
                    bytes: ReplicationFrame.status(term: source.term, acknowledged: wal.durableLSN, primaryDurable: wal.localDurableLSN)
                        .encoded())), promise: nil)
    }

    /// Sends what there is while the socket takes it.
    private func pump() {
        guard let context else { return }
        var wrote = false
        while !reading, context.channel.isWritable {
            switch source.hub.take(from: next, maxBytes: Self.frameBytes) {
            case let .records(first, records):
                send(first: first, records, context)
                wrote = true
            case .fromLog:
                readFromLog(context)
            case .upToDate:
                if wrote { context.flush() }
                return
            }
        }
        if wrote { context.flush() }
    }

    private func send(first: LSN, _ records: [[UInt8]], _ context: ChannelHandlerContext) {
        guard !records.isEmpty else { return }
        context.write(wrapOutboundOut(ByteBuffer(bytes: ReplicationFrame.records(first: first, records: records).encoded())), promise: nil)
        next = first + LSN(records.count)
    }

    /// Records older than the ring, read on the pool; a gap (trimmed since) ends the stream, and
    /// the standby starts over with a snapshot.
    private func readFromLog(_ context: ChannelHandlerContext) {
        reading = true
        let (store, from) = (source.store, next)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        source.reads.runIfActive(eventLoop: context.eventLoop) {
            try store.encodedRecords(from: from, limit: 4096, maxBytes: Self.frameBytes)
        }.whenComplete { result in
            let sender = handler.value
            sender.reading = false
            guard let context = sender.context else { return }
            switch result {
            case let .success(records) where records.first?.0 == from:
                sender.send(first: from, records.map(\.1), context)
                context.flush()
                sender.pump()
            default:
                sender.source.logger.warning(
                    "a standby needs records the log no longer holds; it will take a snapshot",
                    metadata: ["node": "\(sender.node)", "from": "\(from)"])
                context.close(promise: nil)
            }
        }
    }
}
