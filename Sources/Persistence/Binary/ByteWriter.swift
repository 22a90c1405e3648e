/// Appends values in pmd's compact binary row format: LEB128 varints, length-prefixed UTF-8
/// strings and byte strings, fixed-width big-endian integers where sort order matters.
///
/// Rows are read back at start-up for every user and tenant, so the format favours fast,
/// allocation-light decoding over self-description; each row type leads with its own version.
///
/// Rows are also encoded on the event loop for every write (a user's row for each
/// `users.update`), so the writer appends into memory it owns, like `JSONWriter`: one capacity
/// check and a store or `memcpy` per piece, every method `@inlinable` so a row's encoder in another
/// module is compiled together with it. Appending to an `[UInt8]`, with the array's uniqueness and
/// capacity checked on each call across the module boundary, made encoding a user 2,700
/// instructions, 7% of a pipelined `users.update` (`bench/scripts/instructions.py`).
public struct ByteWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    @inlinable
    public init(capacity: Int = 64) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 1)
    }

    deinit { base.deallocate() }

    /// What has been written.
    @inlinable
    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: count)) }

    @inlinable @inline(__always)
    public mutating func write(_ value: UInt8) {
        if count == capacity { grow(minimum: 1) }
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inlinable @inline(__always)
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }

    @inlinable @inline(__always)
    public mutating func writeVarint(_ value: UInt64) {
        if capacity - count < 10 { grow(minimum: 10) }  // the longest varint
        var v = value
        while v >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: count, as: UInt8.self)
            count += 1
            v >>= 7
        }
        base.storeBytes(of: UInt8(v), toByteOffset: count, as: UInt8.self)
        count += 1
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
        withUnsafeBytes(of: value.bigEndian) { append($0) }
    }

    @inlinable @inline(__always)
    public mutating func write(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            append(UnsafeRawBufferPointer(utf8))
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
        value.withUnsafeBytes { append($0) }
    }

    /// Raw bytes with no length prefix (fixed-size fields such as ids).
    @inlinable @inline(__always)
    public mutating func write(raw value: [UInt8]) { value.withUnsafeBytes { append($0) } }

    @inlinable @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if capacity - count < bytes.count { grow(minimum: bytes.count) }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @usableFromInline
    mutating func grow(minimum: Int) {
        let larger = max(capacity * 2, count + minimum)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 1)
        moved.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
