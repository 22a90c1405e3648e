import NIOCore
import Persistence

/// Writes JSON straight to bytes, for results on the hot path (`users.me`): building a `JSON`
/// tree first costs several times the serialisation. Members are written in call order; the
/// writer inserts commas itself.
///
///     var w = JSONWriter()
///     w.object {
///         w.field("id", string: id)
///         w.field("name", string: name)   // nil → null
///     }
///     let bytes = w.finish()
///
/// The bytes go into memory the writer owns (`OwnedBytes`): one capacity check and a `memcpy`
/// per piece. Appending to an array or a `ByteBuffer` instead costs
/// 100–200 instructions per call, which made this view the most expensive part of `users.me`
/// (`bench/scripts/instructions.py`). Everything is `@inlinable` so a view (in another module)
/// is compiled together with the writer.
public struct JSONWriter: ~Copyable {
    @usableFromInline var out: OwnedBytes
    /// Whether the innermost open container already holds a value (so the next needs a comma).
    @usableFromInline var needsComma = false

    @inlinable
    public init(capacity: Int = 512) {
        out = OwnedBytes(capacity: capacity)
    }

    /// What was written.
    public consuming func finish() -> [UInt8] { bytes }

    /// What was written, in a buffer to send.
    consuming func finishBuffer() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: out.count)
        out.withBytes { _ = buffer.writeBytes($0) }
        return buffer
    }

    /// A copy of what was written so far.
    public var bytes: [UInt8] { out.array }

    @inlinable @inline(__always)
    mutating func separate() {
        if needsComma { append(byte: UInt8(ascii: ",")) }
        needsComma = true
    }

    @inlinable
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        append(byte: UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        append(byte: UInt8(ascii: "}"))
        needsComma = true
    }

    /// A member whose value the body writes (an object or any single value).
    @inlinable
    public mutating func field(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        key_(key)
        needsComma = false
        body(&self)
        needsComma = true
    }

    @inlinable
    public mutating func field(_ key: StaticString, string value: String?) {
        key_(key)
        if let value { JSON.writeString(value, into: &self) } else { append(literal: "null") }
    }

    @inlinable
    public mutating func field(_ key: StaticString, bool value: Bool) {
        key_(key)
        if value { append(literal: "true") } else { append(literal: "false") }
    }

    @inlinable
    public mutating func field(_ key: StaticString, int value: Int) {
        key_(key)
        append(utf8: String(value))
    }

    /// A string member whose text the value appends itself (ids, times): ASCII that needs no
    /// escaping, written without building a String. nil → null.
    @inlinable
    public mutating func field(_ key: StaticString, text value: (some JSONText)?) {
        key_(key)
        guard let value else { return append(literal: "null") }
        append(byte: UInt8(ascii: "\""))
        value.writeJSONText(into: &self)
        append(byte: UInt8(ascii: "\""))
    }

    /// A member holding an already serialised JSON value.
    @inlinable
    public mutating func field(_ key: StaticString, json value: JSON) {
        key_(key)
        value.serialized.withUnsafeBytes { append(bytes: $0) }
    }

    @inlinable @inline(__always)
    mutating func key_(_ key: StaticString) {
        separate()
        append(byte: UInt8(ascii: "\""))
        append(literal: key)
        append(literal: "\":")
    }
}

extension JSONWriter: JSONSink {
    @inlinable @inline(__always)
    public mutating func append(byte: UInt8) { out.append(byte: byte) }

    @inlinable @inline(__always)
    public mutating func append(bytes: UnsafeRawBufferPointer) { out.append(bytes) }
}

/// A value whose JSON string form is plain ASCII needing no escapes, written straight to output.
public protocol JSONText {
    func writeJSONText<Sink: JSONSink & ~Copyable>(into sink: inout Sink)
}
