/// Where serialised JSON goes: a byte array (trees, tests, logs) or a `JSONWriter` (results on
/// the hot path). The string escaper is written once against this and specialised for each.
public protocol JSONSink: ~Copyable {
    mutating func append(byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
}

extension JSONSink where Self: ~Copyable {
    /// A literal's bytes, with one copy.
    @inlinable @inline(__always)
    public mutating func append(literal: StaticString) {
        literal.withUTF8Buffer { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A string's UTF-8, with one copy.
    @inlinable @inline(__always)
    public mutating func append(utf8 string: String) {
        var string = string
        string.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension Array: JSONSink where Element == UInt8 {
    // `append(contentsOf: "…".utf8)` goes through String's generic UTF-8 view: it cost 8% of a
    // `users.me` request's instructions (`bench/scripts/instructions.py`).
    @inlinable @inline(__always)
    public mutating func append(byte: UInt8) { append(byte) }

    @inlinable @inline(__always)
    public mutating func append(bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}
