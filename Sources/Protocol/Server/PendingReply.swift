import NIOCore
import Persistence

/// A piece of a response line waiting to be written: it leaves only when `fence` is durable
/// (SPEC §5.1–5.2). The bytes are kept in the `ByteBuffer` they are written from, so they are
/// not copied again on their way out.
///
/// A single request's reply is a whole line. A batch's reply is written as it is produced, one
/// piece per answered element (`[` or `,` and the element) and a closing `]` and newline, so pmd
/// never holds a batch's whole reply (SPEC §5.5).
struct PendingReply: Sendable {
    /// Where the bytes sit in the line they belong to.
    enum Framing: Sendable, Equatable {
        /// A whole line: one response and its newline.
        case line
        /// One answer of a batch, after `[` (the first) or `,`.
        case element(first: Bool)
        /// The `]` and newline that end a batch's line.
        case batchEnd
    }

    var bytes: ByteBuffer
    var fence: LSN
    var framing: Framing
    /// Close the connection after writing (oversized line, failed `rpc.auth`).
    var closeAfter: Bool = false
    /// The id answered, kept so a durability failure can be answered with an error instead;
    /// nil for a batch's end.
    var id: JSON?

    init(bytes: [UInt8], fence: LSN, framing: Framing = .line, closeAfter: Bool = false, id: JSON?) {
        self.init(buffer: ByteBuffer(bytes: bytes), fence: fence, framing: framing, closeAfter: closeAfter, id: id)
    }

    init(buffer: ByteBuffer, fence: LSN, framing: Framing = .line, closeAfter: Bool = false, id: JSON?) {
        self.bytes = buffer
        self.fence = fence
        self.framing = framing
        self.closeAfter = closeAfter
        self.id = id
    }

    static let batchEnd = PendingReply(bytes: Array("]\n".utf8), fence: 0, framing: .batchEnd, id: nil)

    /// The same piece answering `error` instead: the write it acknowledged never became durable
    /// (the log failed), so its success must not be sent.
    func replaced(by error: RPCError) -> ByteBuffer {
        guard let id else { return bytes }
        return ByteBuffer(bytes: Self.encode(id: id, outcome: .failure(error), framing: framing))
    }

    /// The bytes of one answer in its place in the line.
    static func encode(id: JSON, outcome: Result<RPCResult, RPCError>, framing: Framing) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        if case let .element(first) = framing { out.append(first ? UInt8(ascii: "[") : UInt8(ascii: ",")) }
        switch outcome {
        case let .success(result): RPCEncoder.success(id: id, result: result, into: &out)
        case let .failure(error): RPCEncoder.failure(id: id, error: error, into: &out)
        }
        if framing == .line { out.append(UInt8(ascii: "\n")) }
        return out
    }
}
