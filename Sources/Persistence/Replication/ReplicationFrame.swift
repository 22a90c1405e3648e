/// The binary framing of a replication connection after its JSON-RPC handshake (SPEC §10): each
/// frame is a 4-byte big-endian length, then a type byte and its payload. Records travel as the
/// log stores them (`WALRecord.encoded()`), so the primary sends what it already encoded and the
/// standby commits bytes it can check.
public enum ReplicationFrame: Sendable, Equatable {
    /// Primary → standby: consecutive records, the first at `first`.
    case records(first: LSN, records: [[UInt8]])
    /// Primary → standby: the primary's term, what the cluster has acknowledged (the standby's
    /// checkpoints may go that far) and what is durable on the primary. Also a heartbeat.
    case status(term: UInt64, acknowledged: LSN, primaryDurable: LSN)
    /// Standby → primary: what is durable on the standby.
    case ack(durable: LSN)
    /// Primary → standby, on a snapshot connection: a file of the copy begins (`size` bytes follow
    /// in `chunk` frames).
    case file(name: String, size: UInt64)
    case chunk([UInt8])
    /// The snapshot is complete; it holds the log up to `lsn`.
    case snapshotDone(lsn: LSN)

    /// The largest frame either side accepts: a sender splits what it sends below it.
    public static let maxLength = 16 << 20

    private enum Tag: UInt8 {
        case records = 1, status = 2, ack = 3, file = 4, chunk = 5, snapshotDone = 6
    }

    /// The frame with its length prefix.
    public func encoded() -> [UInt8] {
        var body = ByteWriter(capacity: 64)
        switch self {
        case let .records(first, records):
            body = ByteWriter(capacity: 16 + records.reduce(0) { $0 + $1.count + 5 })
            body.write(Tag.records.rawValue)
            body.writeBigEndian(first)
            body.writeVarint(UInt64(records.count))
            for record in records { body.write(bytes: record) }
        case let .status(term, acknowledged, primaryDurable):
            body.write(Tag.status.rawValue)
            body.writeVarint(term)
            body.writeVarint(acknowledged)
            body.writeVarint(primaryDurable)
        case let .ack(durable):
            body.write(Tag.ack.rawValue)
            body.writeVarint(durable)
        case let .file(name, size):
            body.write(Tag.file.rawValue)
            body.write(name)
            body.writeVarint(size)
        case let .chunk(bytes):
            body = ByteWriter(capacity: bytes.count + 8)
            body.write(Tag.chunk.rawValue)
            body.write(raw: bytes)
        case let .snapshotDone(lsn):
            body.write(Tag.snapshotDone.rawValue)
            body.writeVarint(lsn)
        }
        let payload = body.bytes
        var framed = ByteWriter(capacity: payload.count + 4)
        framed.writeBigEndian32(UInt32(payload.count))
        framed.write(raw: payload)
        return framed.bytes
    }

    /// The length a frame announces in its first four bytes, or nil when fewer are there.
    public static func announcedLength(_ prefix: UnsafeRawBufferPointer) -> Int? {
        guard prefix.count >= 4 else { return nil }
        return prefix.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }

    /// Decodes one frame's body (after its length prefix).
    public static func decode(body bytes: UnsafeRawBufferPointer) throws(ByteReader.Malformed) -> ReplicationFrame {
        var reader = ByteReader(bytes)
        let tag = try reader.readByte()
        switch Tag(rawValue: tag) {
        case .records:
            let first = try reader.readBigEndianUInt64()
            let count = try reader.readVarintUnsigned()
            guard count <= UInt64(bytes.count) else { throw ByteReader.Malformed(offset: 9, reason: "record count \(count)") }
            var records: [[UInt8]] = []
            records.reserveCapacity(Int(count))
            for _ in 0..<count { records.append(try reader.readBytes()) }
            return .records(first: first, records: records)
        case .status:
            return .status(
                term: try reader.readVarintUnsigned(), acknowledged: try reader.readVarintUnsigned(),
                primaryDurable: try reader.readVarintUnsigned())
        case .ack:
            return .ack(durable: try reader.readVarintUnsigned())
        case .file:
            return .file(name: try reader.readString(), size: try reader.readVarintUnsigned())
        case .chunk:
            return .chunk(try reader.readRaw(bytes.count - 1))
        case .snapshotDone:
            return .snapshotDone(lsn: try reader.readVarintUnsigned())
        case nil:
            throw ByteReader.Malformed(offset: 0, reason: "replication frame type \(tag)")
        }
    }
}
