import NIOCore
import Persistence

/// Frames a replication connection's bytes (`ReplicationFrame`): a frame leaves once all its
/// announced bytes are in; one announcing more than `ReplicationFrame.maxLength` ends the
/// connection (a confused or hostile peer must not make pmd buffer without bound).
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ReplicationFrame

    struct TooLarge: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard Int(length) <= ReplicationFrame.maxLength else { throw TooLarge() }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = try buffer.readWithUnsafeReadableBytes { body -> (Int, ReplicationFrame) in
            (Int(length), try ReplicationFrame.decode(body: UnsafeRawBufferPointer(rebasing: body.prefix(Int(length)))))
        }
        context.fireChannelRead(NIOAny(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
