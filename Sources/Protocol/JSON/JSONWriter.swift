/// Writes JSON straight into bytes, for results on the hot path (`users.me`): building a `JSON`
/// tree first costs several times the serialisation. Members are written in call order; the
/// writer inserts commas itself.
///
///     var w = JSONWriter()
///     w.object {
///         w.field("id", string: id)
///         w.field("name", string: name)   // nil → null
///     }
///
/// Everything is `@inlinable` so a view (in another module) is compiled together with the writer:
/// the per-member calls and the generic `text:` member cost a third of `users.me`'s
/// serialisation otherwise.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8] { output }
    @usableFromInline var output: [UInt8]
    /// Whether the innermost open container already holds a value (so the next needs a comma).
    @usableFromInline var needsComma = false

    @inlinable
    public init(capacity: Int = 256) {
        output = []
        output.reserveCapacity(capacity)
    }

    @inlinable
    mutating func separate() {
        if needsComma { output.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    @inlinable
    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        output.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        output.append(UInt8(ascii: "}"))
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
        if let value { JSON.writeString(value, into: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    @inlinable
    public mutating func field(_ key: StaticString, bool value: Bool) {
        key_(key)
        output.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    @inlinable
    public mutating func field(_ key: StaticString, int value: Int) {
        key_(key)
        output.append(contentsOf: String(value).utf8)
    }

    /// A string member whose text the value appends itself (ids, times): ASCII that needs no
    /// escaping, written without building a String. nil → null.
    @inlinable
    public mutating func field(_ key: StaticString, text value: (some JSONText)?) {
        key_(key)
        guard let value else { return output.append(contentsOf: "null".utf8) }
        output.append(UInt8(ascii: "\""))
        value.writeJSONText(into: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// A member holding an already serialised JSON value.
    @inlinable
    public mutating func field(_ key: StaticString, json value: JSON) {
        key_(key)
        value.write(into: &output)
    }

    @inlinable
    mutating func key_(_ key: StaticString) {
        separate()
        output.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { output.append(contentsOf: $0) }
        output.append(contentsOf: "\":".utf8)
    }
}

/// A value whose JSON string form is plain ASCII needing no escapes, written straight to output.
public protocol JSONText {
    func writeJSONText(into bytes: inout [UInt8])
}
