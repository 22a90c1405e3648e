import NIOCore
import Persistence

/// A response line waiting to be written: it leaves only when `fence` is durable (SPEC §5.1–5.2).
/// The line is kept in the `ByteBuffer` it is written from, so it is not copied again on its way out.
struct PendingReply: Sendable {
    /// The ids a line answers: one, or a batch's (in order).
    enum Answered: Sendable {
        case one(JSON)
        case batch([JSON])
    }

    var bytes: ByteBuffer
    var fence: LSN
    /// Close the connection after writing (oversized line, failed `rpc.auth`).
    var closeAfter: Bool = false
    /// Kept so a durability failure can be answered with 503 instead.
    var answered: Answered

    init(bytes: [UInt8], fence: LSN, closeAfter: Bool = false, answered: Answered) {
        self.init(buffer: ByteBuffer(bytes: bytes), fence: fence, closeAfter: closeAfter, answered: answered)
    }

    init(buffer: ByteBuffer, fence: LSN, closeAfter: Bool = false, answered: Answered) {
        self.bytes = buffer
        self.fence = fence
        self.closeAfter = closeAfter
        self.answered = answered
    }

    /// The same line as a 503 for every id: the write it acknowledged never reached the disk.
    func unsaved() -> ByteBuffer {
        let error = RPCError.application(code: 503, kind: "unavailable", message: "Persistence failed; the write was not saved")
        switch answered {
        case let .one(id):
            return ByteBuffer(bytes: RPCEncoder.line(id: id, outcome: .failure(error)))
        case let .batch(ids):
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (index, id) in ids.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                RPCEncoder.failure(id: id, error: error, into: &out)
            }
            out += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
            return ByteBuffer(bytes: out)
        }
    }
}
