/// One mutation of pmd's state, as the write-ahead log stores it: what happened (`kind`, for
/// people reading `pmd wal tail`) and its effect as after-images of rows. Applying the ops in log
/// order reproduces the tables exactly, which is what makes a record atomic: all of its rows
/// land in the same LMDB transaction or none do.
///
/// `term` is the cluster term of the primary that wrote it (SPEC §10; 0 on a single node): one
/// primary per term, so two logs holding a record of the same term at the same LSN hold the same
/// record, which is how a rejoining node finds where its history parted from the primary's.
public struct WALRecord: Sendable, Equatable {
    public var kind: String
    public var timestampMs: Int64
    public var ops: [WALOp]
    public var term: UInt64

    public init(kind: String, timestampMs: Int64, ops: [WALOp], term: UInt64 = 0) {
        self.kind = kind
        self.timestampMs = timestampMs
        self.ops = ops
        self.term = term
    }

    /// Version 2 added the term; version 1 records (written before cluster mode) read as term 0.
    static let formatVersion: UInt8 = 2

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + ops.reduce(0) { $0 + $1.size })
        writer.write(Self.formatVersion)
        writer.writeVarint(term)
        writer.writeVarint(timestampMs)
        writer.write(kind)
        writer.writeVarint(UInt64(ops.count))
        for op in ops {
            switch op {
            case let .put(table, key, value):
                writer.write(UInt8(1))
                writer.write(table)
                writer.write(bytes: key)
                writer.write(bytes: value)
            case let .delete(table, key):
                writer.write(UInt8(2))
                writer.write(table)
                writer.write(bytes: key)
            }
        }
        return writer.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ByteReader.Malformed) -> WALRecord {
        var reader = ByteReader(bytes)
        let version = try reader.readByte()
        guard version == 1 || version == formatVersion else {
            throw ByteReader.Malformed(offset: 0, reason: "WAL record version \(version)")
        }
        let term = version >= 2 ? try reader.readVarintUnsigned() : 0
        let timestamp = try reader.readVarint()
        let kind = try reader.readString()
        let count = try reader.readVarintUnsigned()
        var ops: [WALOp] = []
        for _ in 0..<count {
            switch try reader.readByte() {
            case 1: ops.append(.put(table: try reader.readString(), key: try reader.readBytes(), value: try reader.readBytes()))
            case 2: ops.append(.delete(table: try reader.readString(), key: try reader.readBytes()))
            case let tag: throw ByteReader.Malformed(offset: reader.offset - 1, reason: "op tag \(tag)")
            }
        }
        return WALRecord(kind: kind, timestampMs: timestamp, ops: ops, term: term)
    }
}

extension WALRecord {
    /// Writes the record's row changes into the tables.
    func apply(to txn: Transaction) throws(LMDBError) {
        for op in ops { try op.apply(to: txn) }
    }
}

/// One row change: the complete new value of a key, or its removal.
public enum WALOp: Sendable, Equatable {
    case put(table: String, key: [UInt8], value: [UInt8])
    case delete(table: String, key: [UInt8])

    var size: Int {
        switch self {
        case let .put(table, key, value): table.utf8.count + key.count + value.count + 8
        case let .delete(table, key): table.utf8.count + key.count + 4
        }
    }

    func apply(to txn: Transaction) throws(LMDBError) {
        switch self {
        case let .put(table, key, value): try txn.put(table, key: key, value: value)
        case let .delete(table, key): try txn.delete(table, key: key)
        }
    }
}
