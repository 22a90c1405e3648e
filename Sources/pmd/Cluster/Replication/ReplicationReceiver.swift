import Logging
import NIOCore
import Persistence

/// The standby's end of the stream: each record goes into this node's log at the LSN the primary
/// gave it (its own group commit makes it durable), every commit is acknowledged to the primary,
/// and committed records go on to memory (`ReplicaApplier`). While too much waits for the disk,
/// the socket is not read, so the primary's sender holds back (back-pressure both ways). A status
/// frame from an older term than this node has seen ends the stream: that primary was replaced.
final class ReplicationReceiver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ReplicationFrame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Sink: Sendable {
        let wal: WriteAheadLog
        let feed: ReplicaFeed
        /// The newest term this node has seen; a stream from an older one is refused.
        let knownTerm: @Sendable () -> UInt64
        /// What the primary last said: its term, what the cluster acknowledged, what it has.
        let status: @Sendable (UInt64, LSN, LSN) -> Void
        let logger: Logger
    }

    /// Records received and not yet durable here, at most this many, before reading pauses.
    static let maxUncommitted = 65_536

    private let sink: Sink
    private let term: UInt64
    private var readPending = false
    private var context: ChannelHandlerContext?

    init(term: UInt64, sink: Sink) {
        self.term = term
        self.sink = sink
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        sink.feed.listen { lsn in loop.execute { handler.value.committed(through: lsn) } }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func stop() {
        guard context != nil else { return }
        sink.feed.listen(nil)
        context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .records(first, records):
            for (offset, bytes) in records.enumerated() {
                let lsn = first + LSN(offset)
                do {
                    let record = try bytes.withUnsafeBytes { try WALRecord.decode($0) }
                    guard record.term <= term else { throw WriteAheadLog.Failure(reason: "record of term \(record.term) in a stream of term \(term)") }
                    try sink.wal.appendReplicated(lsn, record)
                    sink.feed.received(lsn, record)
                } catch {
                    sink.logger.error("a replicated record was refused; reconnecting", metadata: ["lsn": "\(lsn)", "error": "\(error)"])
                    context.close(promise: nil)
                    return
                }
            }
        case let .status(primaryTerm, acknowledged, primaryDurable):
            guard primaryTerm >= sink.knownTerm() else {
                sink.logger.warning("refusing the stream of a primary of an older term", metadata: ["term": "\(primaryTerm)"])
                context.close(promise: nil)
                return
            }
            sink.wal.limitCheckpoints(to: acknowledged)
            sink.status(primaryTerm, acknowledged, primaryDurable)
        case .ack, .file, .chunk, .snapshotDone:
            context.close(promise: nil)
        }
    }

    /// From the log (via `CommitListeners`): records through `lsn` are durable here.
    private func committed(through lsn: LSN) {
        guard let context else { return }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: ReplicationFrame.ack(durable: lsn).encoded())), promise: nil)
        if readPending, sink.feed.uncommittedCount < Self.maxUncommitted {
            readPending = false
            context.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if sink.feed.uncommittedCount < Self.maxUncommitted { context.read() } else { readPending = true }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        sink.logger.warning("replication stream failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
