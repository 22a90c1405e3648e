import DequeModule
import NIOCore
import NIOExtras
import Persistence

/// One connection, entirely on its event loop: bytes are framed into lines by nio-extras' line
/// decoder, and lines gated and decoded here, and executed strictly one after another: in place when the method
/// has an immediate handler whose actors run on this loop (`users.me`, `companies.update`, …),
/// else in a task of its own (that is where the actors are awaited). A batch's requests run the
/// same way, one element at a time (`BatchCursor`). Replies wait in order until their fence is
/// durable — the log calls back, no task waits — and are written; replies to the lines of one
/// read, or to pipelined requests, are written together with one flush.
///
/// Every buffer is bounded: at most `maxQueuedLines` lines / `maxQueuedBytes` bytes wait to be
/// executed, nothing more is executed while the socket is not writable or `maxPendingReplyBytes`
/// of replies wait for their fence, so a client that never reads stops being read from (SPEC
/// §5.5) — also in the middle of a batch, whose reply is written piece by piece as it is produced
/// rather than built whole. A batch yields the loop every `elementsPerTurn` elements, so other
/// connections are served while a long one runs.
///
/// Draining (shutdown, or after an error reply that closes) is a lingering close: nothing more
/// is executed (but a batch under way is finished, or its line would be cut), due replies are
/// written, the output is half-closed, and input is read and dropped until the client closes or
/// `linger` passes — closing with unread input would send a reset that can destroy replies
/// still in flight to the client.
final class RPCChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Limits {
        var maxQueuedLines = 64
        var maxQueuedBytes = 1 << 20
        /// Replies produced but not yet written (waiting for their fence or for the socket).
        var maxPendingReplyBytes = 1 << 20
        /// A batch hands the loop to other connections after this many elements, or after
        /// producing this many reply bytes (a proxy for work: one element may be a 200 KiB list).
        var elementsPerTurn = 64
        var bytesPerTurn = 64 << 10
        /// Replies held back for coalescing at most this long before a flush.
        var flushDelay = TimeAmount.microseconds(200)
        var linger = TimeAmount.seconds(2)
        /// A connection that sends nothing for this long, with nothing of its running, is closed.
        var idleTimeout: TimeAmount?
    }

    // The mutable state below is touched only on the connection's event loop, by the handler's
    // own methods, never across a call that could reach it again (no `inout` of a property is
    // held over a callback). `@exclusivity(unchecked)` drops the run-time exclusivity checks
    // Swift makes on every access to a class's stored property — about a dozen per request here,
    // 3% of a `users.me` request's instructions (`bench/scripts/instructions.py`).
    private let session: RPCSession
    private let limits: Limits
    private let onClose: @Sendable () -> Void
    private let onIdleClose: @Sendable () -> Void
    /// When the client last sent anything (only kept with an idle timeout).
    @exclusivity(unchecked) private var lastReadAt = NIODeadline.now()

    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    private var executor: EventLoopExecutor?
    /// What was read, in order: lines, and the refusal of one too long to frame.
    private enum Input {
        case line(ByteBuffer)
        case tooLarge
    }

    @exclusivity(unchecked) private var lines: Deque<Input> = []
    @exclusivity(unchecked) private var queuedBytes = 0
    @exclusivity(unchecked) private var executing = false
    /// The batch whose elements are being run, if any.
    @exclusivity(unchecked) private var batch: BatchCursor?
    @exclusivity(unchecked) private var replies: Deque<PendingReply> = []
    @exclusivity(unchecked) private var pendingReplyBytes = 0
    /// Reply bytes produced since this turn's `pump` began.
    @exclusivity(unchecked) private var producedThisTurn = 0
    @exclusivity(unchecked) private var pumpScheduled = false
    /// Set once framing failed: what follows the oversized line is not framed.
    @exclusivity(unchecked) private var inputRefused = false
    /// Set once the connection went to another protocol (`hand(over:)`).
    @exclusivity(unchecked) private var handedOver = false
    /// Whether `fences` will call back for the first reply's fence.
    @exclusivity(unchecked) private var awaitingFence = false
    /// This event loop's connections waiting for the log.
    private let fences: FenceWaiters
    /// nio-extras' line framing, run here by NIO's single-step processor rather than by a
    /// `ByteToMessageHandler` of its own in the pipeline: that handler is generic over its decoder
    /// and, compiled in NIO's module, looked up type metadata at run time on every read, which with
    /// the extra pipeline hop cost about a tenth of a `users.me` (`bench/scripts/instructions.py`).
    /// `maximumBufferSize` bounds a line that never ends.
    private let framer: NIOSingleStepByteToMessageProcessor<LineBasedFrameDecoder>
    @exclusivity(unchecked) private var unflushed = 0
    @exclusivity(unchecked) private var flushScheduled = false
    @exclusivity(unchecked) private var readPending = false
    /// Between a read's first decoded line and `channelReadComplete`: replies made meanwhile are
    /// flushed together at the end of the burst (pipelined lines arrive many to a read).
    @exclusivity(unchecked) private var inReadBurst = false
    @exclusivity(unchecked) private var inputClosed = false
    /// The channel's writability as its last `channelWritabilityChanged` left it: asking the
    /// channel (through the context, an existential) on every read and line cost 3% of a request.
    @exclusivity(unchecked) private var writable = true
    @exclusivity(unchecked) private var draining = false
    @exclusivity(unchecked) private var outputClosed = false

    init(
        session: RPCSession, fences: FenceWaiters, maxBuffered: Int, limits: Limits,
        onIdleClose: @escaping @Sendable () -> Void = {}, onClose: @escaping @Sendable () -> Void
    ) {
        self.onIdleClose = onIdleClose
        self.session = session
        self.fences = fences
        framer = NIOSingleStepByteToMessageProcessor(LineBasedFrameDecoder(), maximumBufferSize: maxBuffered)
        self.limits = limits
        self.onClose = onClose
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writable = context.channel.isWritable
        executor = EventLoopExecutor(context.eventLoop)
        if let timeout = limits.idleTimeout { checkIdle(after: timeout, context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        if !handedOver { onClose() }
        context.fireChannelInactive()
    }

    // MARK: - Input

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        if limits.idleTimeout != nil { lastReadAt = .now() }
        // While draining, input is read and dropped (the lingering close), not framed.
        guard !draining, !inputRefused else { return }
        do {
            try framer.process(buffer: unwrapInboundIn(data)) { receive($0) }
        } catch {
            // The only error framing raises here: a line longer than the buffer allows. It is
            // answered after the lines before it.
            refuseInput()
        }
    }

    private func receive(_ line: ByteBuffer) {
        guard !draining, !inputRefused else { return }
        lines.append(.line(line))
        queuedBytes += line.readableBytes
        pump()
    }

    private func refuseInput() {
        inputRefused = true
        lines.append(.tooLarge)
        pump()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flushIfIdle()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            if !draining { frameLastLine() }
            inputClosed = true
            inReadBurst = false
            pump()
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The client closed its side: a last line without "\n" is answered anyway (no
    /// channelReadComplete follows, so it is not part of a read burst).
    private func frameLastLine() {
        inReadBurst = false
        do {
            try framer.finishProcessing(seenEOF: true) { receive($0) }
        } catch let leftover as NIOExtrasErrors.LeftOverBytesError {
            receive(leftover.leftOverBytes)
        } catch {
            refuseInput()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Gates reading: while enough work is queued or the client is not reading our replies,
    /// the socket is not read, and TCP pushes back on the client.
    func read(context: ChannelHandlerContext) {
        if mayRead {
            context.read()
        } else {
            readPending = true
        }
    }

    private var mayRead: Bool {
        lines.count < limits.maxQueuedLines && queuedBytes < limits.maxQueuedBytes
            && writable && context != nil && pendingReplyBytes < limits.maxPendingReplyBytes
    }

    private func resumeReadingIfPaused() {
        if readPending, mayRead, let context {
            readPending = false
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        pump()
        context.fireChannelWritabilityChanged()
    }

    // MARK: - Idle connections

    /// Closes the connection once it has sent nothing for the idle timeout while nothing of it
    /// runs; one scheduled check per connection, moved on to the next possible deadline.
    private func checkIdle(after delay: TimeAmount, _ context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay) { handler.value.idleCheckDue() }
    }

    private func idleCheckDue() {
        guard let context, let timeout = limits.idleTimeout, !outputClosed else { return }
        let idleUntil = lastReadAt + timeout
        let now = NIODeadline.now()
        if now < idleUntil || executing || batch != nil || !lines.isEmpty {
            checkIdle(after: now < idleUntil ? idleUntil - now : timeout, context)
            return
        }
        onIdleClose()
        context.close(promise: nil)
    }

    // MARK: - Draining

    /// Graceful shutdown of this connection: finish the request being executed, write what is
    /// due, then close (lingering).
    func drain() {
        guard !draining else { return }
        draining = true
        dropQueuedLines()
        pump()
    }

    private func dropQueuedLines() {
        lines.removeAll()
        queuedBytes = 0
    }

    // MARK: - The loop

    /// Moves everything forward that can move: writes replies whose fence is durable, executes
    /// queued lines and batch elements (synchronously where no handler is needed or the handler
    /// is immediate, else starting one task), and finishes the connection when it is done.
    private func pump() {
        guard let context else { return }
        writeDurableReplies()
        var budget = limits.elementsPerTurn
        producedThisTurn = 0
        while !executing, writable, pendingReplyBytes < limits.maxPendingReplyBytes {
            if batch != nil {
                guard budget > 0, producedThisTurn < limits.bytesPerTurn else {
                    pumpLater(context)
                    break
                }
                budget -= 1
                stepBatch(context)
                continue
            }
            guard !draining, let input = lines.popFirst() else { break }
            guard case let .line(line) = input else {
                enqueue(session.tooLarge())
                continue
            }
            queuedBytes -= line.readableBytes
            switch line.withUnsafeReadableBytes({ session.gate($0) }) {
            case .skip:
                continue
            case let .reply(reply):
                enqueue(reply)
            case let .single(envelope):
                execute(envelope, framing: .line, context)
            case let .batch(envelopes):
                batch = BatchCursor(envelopes)
            }
        }
        flushIfIdle()
        resumeReadingIfPaused()
        finishIfDone()
    }

    /// Runs the batch's next element, or ends its line once every element has run.
    private func stepBatch(_ context: ChannelHandlerContext) {
        guard var cursor = batch else { return }
        let step = cursor.advance()
        batch = step == nil ? nil : cursor
        guard let (envelope, framing) = step else {
            if cursor.needsEnd { enqueue(.batchEnd) }
            return
        }
        execute(envelope, framing: framing, context)
    }

    /// Gives the loop to other connections, and carries on in a later turn.
    private func pumpLater(_ context: ChannelHandlerContext) {
        guard !pumpScheduled else { return }
        pumpScheduled = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            handler.value.pumpScheduled = false
            handler.value.pump()
        }
    }

    private func execute(_ envelope: RPCEnvelope, framing: PendingReply.Framing, _ context: ChannelHandlerContext) {
        switch session.tryNow(envelope, framing: framing) {
        case let .done(reply):
            if let reply { enqueue(reply) }
        case .later:
            start(envelope, framing: framing, on: context)
        }
    }

    private func start(_ envelope: RPCEnvelope, framing: PendingReply.Framing, on context: ChannelHandlerContext) {
        executing = true
        let session = self.session
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        Task(executorPreference: executor) {
            let reply = await session.run(envelope, framing: framing)
            if loop.inEventLoop {
                handler.value.finished(reply)
            } else {
                loop.execute { handler.value.finished(reply) }
            }
        }
    }

    private func finished(_ reply: PendingReply?) {
        executing = false
        if let reply { enqueue(reply) }
        pump()
    }

    private func enqueue(_ reply: PendingReply) {
        replies.append(reply)
        pendingReplyBytes += reply.bytes.readableBytes
        producedThisTurn += reply.bytes.readableBytes
        if reply.closeAfter {
            draining = true
            dropQueuedLines()
        }
        writeDurableReplies()
    }

    /// Writes replies in order while their fence is durable; asks the log for a call back on the
    /// first one that is not.
    private func writeDurableReplies() {
        guard !replies.isEmpty, let context, !outputClosed else { return }
        let durable = session.durability.durableLSN
        while let reply = replies.first, reply.fence <= durable {
            replies.removeFirst()
            pendingReplyBytes -= reply.bytes.readableBytes
            write(reply.bytes, context)
            if replies.isEmpty, let handover = session.info.takeHandover() { return hand(over: handover, context) }
        }
        // The first reply stays first until it is written, so one wait at a time covers it.
        guard !awaitingFence, let fence = replies.first?.fence else { return }
        awaitingFence = true
        fences.wait(for: fence, self)
    }

    /// The connection leaves JSON-RPC: nothing more is read as lines, this handler leaves the
    /// pipeline (the connection no longer counts as a JSON-RPC one), and the new protocol's
    /// handlers take over.
    private func hand(over handover: ConnectionHandover, _ context: ChannelHandlerContext) {
        unflushed = 0
        context.flush()
        draining = true
        inputRefused = true
        dropQueuedLines()
        replies.removeAll()
        pendingReplyBytes = 0
        let channel = context.channel
        handedOver = true
        onClose()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        do {
            try handover.install(channel)
        } catch {
            channel.close(promise: nil)
        }
    }

    /// From `FenceWaiters`: the first reply's fence is durable, or the log failed.
    func fenceReached(failure: WriteAheadLog.Failure?) {
        awaitingFence = false
        if failure != nil, let context {
            // The log stopped: replies waiting for it acknowledge nothing; they become 503s.
            let durable = session.durability.durableLSN
            while let reply = replies.popFirst() {
                pendingReplyBytes -= reply.bytes.readableBytes
                write(reply.fence <= durable ? reply.bytes : reply.replaced(by: RPCError(unacknowledged: failure!)), context)
            }
        }
        pump()
    }

    private func write(_ bytes: ByteBuffer, _ context: ChannelHandlerContext) {
        unflushed += bytes.readableBytes
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    /// Flushes at once unless more replies are on their way: the rest of the lines of this read
    /// (flushed at `channelReadComplete`), or requests queued behind the one running (flushed
    /// after at most `flushDelay`); 64 KiB is flushed in any case.
    private func flushIfIdle() {
        guard let context, unflushed > 0 else { return }
        if inReadBurst, unflushed < 64 << 10 { return }
        let moreComing = executing && (!lines.isEmpty || batch != nil)
        if !moreComing || unflushed >= 64 << 10 {
            unflushed = 0
            context.flush()
        } else if !flushScheduled {
            flushScheduled = true
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: limits.flushDelay) {
                handler.value.flushScheduled = false
                if handler.value.unflushed > 0, let context = handler.value.context {
                    handler.value.unflushed = 0
                    context.flush()
                }
            }
        }
    }

    /// After the client's end of input (and every answer written) close; when draining, half-close
    /// and linger until the client closes.
    private func finishIfDone() {
        guard let context, !executing, batch == nil, lines.isEmpty, replies.isEmpty else { return }
        if inputClosed {
            context.close(promise: nil)
        } else if draining, !outputClosed {
            outputClosed = true
            context.flush()
            context.close(mode: .output, promise: nil)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: limits.linger) { channel.close(promise: nil) }
        }
    }
}
