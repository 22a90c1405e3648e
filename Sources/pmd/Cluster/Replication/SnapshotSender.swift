import Foundation
import Logging
import NIOCore
import NIOPosix
import Persistence

/// Sends a consistent copy of the data (made by `Store.copy`, as `pmd backup` makes one) to a
/// standby that needs it (SPEC §10: a new node, or one too far behind), file by file in chunks,
/// each written only once the socket has taken the last, then the LSN the copy holds, and closes.
/// The copy's directory is removed afterwards.
final class SnapshotSender: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ReplicationFrame
    typealias OutboundOut = ByteBuffer

    struct Copy: Sendable {
        let directory: String
        let lsn: LSN
        /// Paths relative to `directory`.
        let files: [String]
    }

    static let chunkBytes = 256 << 10

    private let copy: Copy
    private let fileIO: NonBlockingFileIO
    private let logger: Logger
    private var fileIndex = 0
    private var handle: NIOFileHandle?
    private var offset: Int64 = 0
    private var size: Int64 = 0
    private var reading = false
    private var finished = false
    private var context: ChannelHandlerContext?

    init(copy: Copy, threadPool: NIOThreadPool, logger: Logger) {
        self.copy = copy
        fileIO = NonBlockingFileIO(threadPool: threadPool)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        sendMore(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        cleanUp()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sendMore(context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cleanUp()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func cleanUp() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: copy.directory)
    }

    private func sendMore(_ context: ChannelHandlerContext) {
        guard !reading, !finished else { return }
        while context.channel.isWritable {
            if handle == nil {
                guard fileIndex < copy.files.count else {
                    finished = true
                    let done = ByteBuffer(bytes: ReplicationFrame.snapshotDone(lsn: copy.lsn).encoded())
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(done)).whenComplete { _ in channel.close(promise: nil) }
                    logger.info("snapshot sent", metadata: ["lsn": "\(copy.lsn)"])
                    return
                }
                let name = copy.files[fileIndex]
                do {
                    let path = copy.directory + "/" + name
                    handle = try NIOFileHandle(_deprecatedPath: path)
                    size = Int64((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
                    offset = 0
                } catch {
                    logger.error("snapshot file unreadable", metadata: ["file": "\(name)", "error": "\(error)"])
                    context.close(promise: nil)
                    return
                }
                context.write(wrapOutboundOut(ByteBuffer(bytes: ReplicationFrame.file(name: name, size: UInt64(size)).encoded())), promise: nil)
            }
            guard offset < size, let handle else {
                try? self.handle?.close()
                self.handle = nil
                fileIndex += 1
                continue
            }
            reading = true
            let count = Int(min(Int64(Self.chunkBytes), size - offset))
            let region = FileRegion(fileHandle: handle, readerIndex: Int(offset), endIndex: Int(offset) + count)
            let sender = NIOLoopBound(self, eventLoop: context.eventLoop)
            fileIO.read(fileRegion: region, allocator: context.channel.allocator, eventLoop: context.eventLoop).whenComplete { result in
                let this = sender.value
                this.reading = false
                guard let context = this.context else { return }
                switch result {
                case let .success(buffer):
                    this.offset += Int64(buffer.readableBytes)
                    let frame = ReplicationFrame.chunk(Array(buffer.readableBytesView))
                    context.writeAndFlush(this.wrapOutboundOut(ByteBuffer(bytes: frame.encoded())), promise: nil)
                    this.sendMore(context)
                case let .failure(error):
                    this.logger.error("reading the snapshot failed", metadata: ["error": "\(error)"])
                    context.close(promise: nil)
                }
            }
            return
        }
        context.flush()
    }
}
