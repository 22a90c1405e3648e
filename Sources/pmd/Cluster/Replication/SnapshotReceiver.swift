import Foundation
import NIOCore
import Persistence

/// The standby's end of a snapshot: writes each file the primary sends under `directory`, and
/// fulfils `done` with the LSN the copy holds once every file is complete and synced. It runs on
/// an event loop of its own during start-up (`ClusterBootstrap`), where blocking file writes hold
/// up nothing else.
final class SnapshotReceiver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ReplicationFrame

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    private let directory: String
    private let done: EventLoopPromise<LSN>
    private var file: FileHandle?
    private var remaining: UInt64 = 0
    private var finished = false

    init(directory: String, done: EventLoopPromise<LSN>) {
        self.directory = directory
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            switch unwrapInboundIn(data) {
            case let .file(name, size):
                try closeFile()
                guard !name.contains(".."), !name.hasPrefix("/") else { throw Failed(description: "bad file name \(name)") }
                let path = directory + "/" + name
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw Failed(description: "cannot create \(path)")
                }
                file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                remaining = size
            case let .chunk(bytes):
                guard let file, UInt64(bytes.count) <= remaining else { throw Failed(description: "unexpected snapshot data") }
                try file.write(contentsOf: bytes)
                remaining -= UInt64(bytes.count)
            case let .snapshotDone(lsn):
                try closeFile()
                finished = true
                done.succeed(lsn)
                context.close(promise: nil)
            case .records, .status, .ack:
                throw Failed(description: "unexpected frame in a snapshot")
            }
        } catch {
            fail(error, context)
        }
    }

    private func closeFile() throws {
        guard let file else { return }
        guard remaining == 0 else { throw Failed(description: "a snapshot file ended \(remaining) bytes short") }
        try file.synchronize()
        try file.close()
        self.file = nil
    }

    private func fail(_ error: any Error, _ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        try? file?.close()
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(Failed(description: "the primary closed the snapshot before its end"), context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { fail(error, context) }
}
