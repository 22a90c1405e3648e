/// A JSON value as defined by RFC 8259.
///
/// Numbers keep their source text (see ``JSONNumber``) and objects keep their key order (see
/// ``JSONObject``), so a parsed message can be written back without changing what the peer sent.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The boolean, or `nil` if this is not a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number, or `nil` if this is not a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an exact `Int` (see ``JSONNumber/int``), or `nil`.
    public var intValue: Int? { numberValue?.int }

    /// The number as a finite `Double` (see ``JSONNumber/double``), or `nil`.
    public var doubleValue: Double? { numberValue?.double }

    /// The string, or `nil` if this is not a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, or `nil` if this is not an array.
    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, or `nil` if this is not an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The member named `key`; `nil` if absent or if this is not an object.
    public subscript(key: String) -> JSON? {
        objectValue?[key]
    }
}

extension JSON: CustomStringConvertible {
    /// The compact serialisation, so values read naturally in logs and test failures.
    public var description: String { compactString }
}

extension JSON: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
}

extension JSON: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    /// Builds an object keeping the literal's key order.
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}
