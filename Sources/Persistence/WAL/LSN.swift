/// A log sequence number: the position of a record in the write-ahead log. LSNs start at 1 and
/// never repeat, also across restarts (the last one is kept in the meta table); 0 means "nothing".
public typealias LSN = UInt64

extension LSN {
    /// The big-endian key under which a WAL record is stored, so LMDB's key order is log order.
    public var walKey: [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.writeBigEndian(self)
        return writer.bytes
    }

    /// The LSN a `wal` key (`walKey`) stands for.
    init(walKey key: UnsafeRawBufferPointer) {
        self = key.reduce(0) { $0 << 8 | LSN($1) }
    }
}
