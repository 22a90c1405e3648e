/// Appends values in pmd's compact binary row format: LEB128 varints, length-prefixed UTF-8
/// strings and byte strings, fixed-width big-endian integers where sort order matters.
///
/// Rows are read back at start-up for every user and tenant, so the format favours fast,
/// allocation-light decoding over self-description; each row type leads with its own version.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: UInt8) { bytes.append(value) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zig-zag encoded, so small negative numbers stay small.
    public mutating func writeVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func writeVarint(_ value: Int) { writeVarint(Int64(value)) }

    public mutating func writeBigEndian(_ value: UInt64) {
        // One append of eight bytes, not eight appends (each checks capacity and uniqueness).
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func write(_ string: String?) {
        if let string {
            write(true)
            write(string)
        } else {
            write(false)
        }
    }

    public mutating func write(bytes value: some Collection<UInt8>) {
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Raw bytes with no length prefix (fixed-size fields such as ids).
    public mutating func write(raw value: some Collection<UInt8>) { bytes.append(contentsOf: value) }
}
