/// Writes JSON straight into bytes, for results on the hot path (`users.me`): building a `JSON`
/// tree first costs several times the serialisation. Members are written in call order; the
/// writer inserts commas itself.
///
///     var w = JSONWriter()
///     w.object {
///         w.field("id", string: id)
///         w.field("name", string: name)   // nil → null
///     }
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Whether the innermost open container already holds a value (so the next needs a comma).
    private var needsComma = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// A member whose value the body writes (an object or any single value).
    public mutating func field(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        key_(key)
        needsComma = false
        body(&self)
        needsComma = true
    }

    public mutating func field(_ key: StaticString, string value: String?) {
        key_(key)
        if let value { JSON.writeString(value, into: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
    }

    public mutating func field(_ key: StaticString, bool value: Bool) {
        key_(key)
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func field(_ key: StaticString, int value: Int) {
        key_(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A string member whose text the value appends itself (ids, times): ASCII that needs no
    /// escaping, written without building a String. nil → null.
    public mutating func field(_ key: StaticString, text value: (some JSONText)?) {
        key_(key)
        guard let value else { return bytes.append(contentsOf: "null".utf8) }
        bytes.append(UInt8(ascii: "\""))
        value.writeJSONText(into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A member holding an already serialised JSON value.
    public mutating func field(_ key: StaticString, json value: JSON) {
        key_(key)
        value.write(into: &bytes)
    }

    private mutating func key_(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: "\":".utf8)
    }
}

/// A value whose JSON string form is plain ASCII needing no escapes, written straight to bytes.
public protocol JSONText {
    func writeJSONText(into bytes: inout [UInt8])
}
