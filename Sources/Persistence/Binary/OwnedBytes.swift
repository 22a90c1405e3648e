/// Bytes in memory the value owns and frees: a capacity check and a store or `memcpy` per append.
///
/// What pmd's hot-path writers append into — `ByteWriter` for the rows a write logs, `JSONWriter`
/// for replies. Appending to an `[UInt8]` or a `ByteBuffer` instead checks uniqueness and capacity
/// on every call, 100–200 instructions each when the call crosses a module boundary
/// (`bench/scripts/instructions.py`). Non-copyable, so the memory has exactly one owner; everything
/// is `@inlinable` so writers in other modules are compiled together with it.
public struct OwnedBytes: ~Copyable {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var length = 0
    @usableFromInline var capacity: Int

    @inlinable
    public init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 1)
    }

    deinit { base.deallocate() }

    /// How many bytes have been appended.
    @inlinable public var count: Int { length }

    /// A copy of what has been appended.
    @inlinable public var array: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: length)) }

    /// What has been appended, for the duration of `body`.
    @inlinable
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: length))
    }

    @inlinable @inline(__always)
    public mutating func append(byte: UInt8) {
        if length == capacity { grow(minimum: 1) }
        base.storeBytes(of: byte, toByteOffset: length, as: UInt8.self)
        length += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if capacity - length < bytes.count { grow(minimum: bytes.count) }
        (base + length).copyMemory(from: source, byteCount: bytes.count)
        length += bytes.count
    }

    @usableFromInline
    mutating func grow(minimum: Int) {
        let larger = max(capacity * 2, length + minimum)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 1)
        moved.copyMemory(from: base, byteCount: length)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
