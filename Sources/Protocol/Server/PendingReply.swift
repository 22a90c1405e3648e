import Persistence

/// A response line waiting to be written: it leaves only when `fence` is durable (SPEC §5.1–5.2).
struct PendingReply: Sendable {
    var bytes: [UInt8]
    var fence: LSN
    /// Close the connection after writing (oversized line, failed `rpc.auth`).
    var closeAfter: Bool = false
    /// The ids answered by this line, so a durability failure can be answered with 503 instead.
    var ids: [JSON] = []
    var isBatch = false

    /// The same line as a 503 for every id: the write it acknowledged never reached the disk.
    func unsaved() -> [UInt8] {
        let error = RPCError.application(code: 503, kind: "unavailable", message: "Persistence failed; the write was not saved")
        if !isBatch { return RPCEncoder.line(id: ids.first ?? .null, outcome: .failure(error)) }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, id) in ids.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            RPCEncoder.failure(id: id, error: error, into: &out)
        }
        out += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
        return out
    }
}
