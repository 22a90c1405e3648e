/// Appends values in pmd's compact binary row format: LEB128 varints, length-prefixed UTF-8
/// strings and byte strings, fixed-width big-endian integers where sort order matters.
///
/// Rows are read back at start-up for every user and tenant, so the format favours fast,
/// allocation-light decoding over self-description; each row type leads with its own version.
///
/// Rows are also encoded on the event loop for every write (a user's row for each
/// `users.update`), so the writer appends into `OwnedBytes`, with every method inlined into the
/// row's encoder in its own module: appending to an `[UInt8]` through calls across the module
/// boundary made encoding a user 2,700 instructions, 7% of a pipelined `users.update`
/// (`bench/scripts/instructions.py`).
public struct ByteWriter: ~Copyable {
    @usableFromInline var out: OwnedBytes

    @inlinable
    public init(capacity: Int = 64) {
        out = OwnedBytes(capacity: capacity)
    }

    /// What has been written.
    @inlinable
    public var bytes: [UInt8] { out.array }

    @inlinable @inline(__always)
    public mutating func write(_ value: UInt8) { out.append(byte: value) }

    @inlinable @inline(__always)
    public mutating func write(_ value: Bool) { out.append(byte: value ? 1 : 0) }

    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(byte: UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(byte: UInt8(v))
    }

    /// Zig-zag encoded, so small negative numbers stay small.
    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: Int) { writeVarint(Int64(value)) }

    @inlinable @inline(__always)
    public mutating func writeBigEndian(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { out.append($0) }
    }

    public mutating func writeBigEndian32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { out.append($0) }
    }

    @inlinable @inline(__always)
    public mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            out.append(UnsafeRawBufferPointer(utf8))
        }
    }

    @inlinable @inline(__always)
    public mutating func write(_ string: String?) {
        if let string {
            write(true)
            write(string)
        } else {
            write(false)
        }
    }

    @inlinable @inline(__always)
    public mutating func write(bytes value: [UInt8]) {
        writeVarint(UInt64(value.count))
        value.withUnsafeBytes { out.append($0) }
    }

    /// Raw bytes with no length prefix (fixed-size fields such as ids).
    @inlinable @inline(__always)
    public mutating func write(raw value: [UInt8]) { value.withUnsafeBytes { out.append($0) } }
}
