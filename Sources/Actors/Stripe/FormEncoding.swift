/// A value in a Stripe request body. Stripe's API takes `application/x-www-form-urlencoded`
/// bodies in which nested objects and arrays are spelled with brackets:
/// `metadata[tenantId]=…`, `line_items[0][price]=…`, `subscription_data[metadata][planId]=…`.
public indirect enum FormValue: Sendable, Equatable {
    case string(String)
    /// Keys in the order given, so encoded bodies are deterministic (and testable).
    case object([(String, FormValue)])
    case array([FormValue])

    public static func == (a: FormValue, b: FormValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

extension FormValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

/// Encodes Stripe request bodies and query strings.
public enum FormEncoding {
    /// `key=value&…` with nested keys flattened to brackets. Keys and values are
    /// percent-encoded except for RFC 3986's unreserved characters; the brackets of nested
    /// keys are left as they are, as Stripe's own libraries send them. An empty array or
    /// object contributes nothing.
    public static func encode(_ fields: [(String, FormValue)]) -> String {
        var pairs: [String] = []
        for (key, value) in fields { flatten(escape(key), value, into: &pairs) }
        return pairs.joined(separator: "&")
    }

    private static func flatten(_ prefix: String, _ value: FormValue, into pairs: inout [String]) {
        switch value {
        case let .string(text):
            pairs.append(prefix + "=" + escape(text))
        case let .object(entries):
            for (key, inner) in entries { flatten(prefix + "[" + escape(key) + "]", inner, into: &pairs) }
        case let .array(items):
            for (index, inner) in items.enumerated() { flatten(prefix + "[\(index)]", inner, into: &pairs) }
        }
    }

    /// Percent-encodes every byte of the UTF-8 form except `A-Z a-z 0-9 - . _ ~`.
    public static func escape(_ text: String) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
