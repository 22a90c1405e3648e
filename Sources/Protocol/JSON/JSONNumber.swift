/// A JSON number, kept as its exact source text.
///
/// Keeping the text means a JSON-RPC `id` such as `1.50`, `-0` or `1E+3` is echoed byte-for-byte
/// instead of being normalised through a binary float, and integers beyond 2^53 lose nothing.
/// Equality and hashing compare the text, so `1` and `1.0` are different numbers here — just as
/// they are different ids. Use ``int`` or ``double`` to compare by value.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The number as written; always matches the RFC 8259 `number` grammar.
    public let text: String

    /// For text the parser has already checked against the grammar.
    init(validatedText: String) {
        text = validatedText
    }

    /// Creates a number from JSON number text, or `nil` unless `text` is exactly one RFC 8259
    /// number (no whitespace, no `+` sign, no leading zeros, no `NaN`/`Infinity`).
    public init?(_ text: String) {
        var utf8 = text
        let isValid = utf8.withUTF8 { buffer in
            let bytes = UnsafeRawBufferPointer(buffer)
            return (try? JSONNumber.scan(bytes, from: 0)) == bytes.count
        }
        guard isValid else { return nil }
        self.text = text
    }

    /// Creates a number from an integer.
    public init(_ value: Int) {
        text = String(value)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// Creates a number from a double using the shortest text that round-trips, or `nil` if
    /// `value` is NaN or infinite (JSON cannot represent them).
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        // For finite values Swift's description is shortest-round-trip and inside JSON's grammar
        // ("0.1", "-0.0", "1e-05", "1e+16").
        text = value.description
    }

    public var description: String { text }

    /// The value as a finite `Double` (rounded to nearest), or `nil` if it overflows `Double`.
    public var double: Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// The value as an `Int` if it is exactly integral and in range, whatever the notation:
    /// `3`, `3.0`, `30e-1` and `0.3e1` give 3; `3.5` and `9223372036854775808` give `nil`.
    ///
    /// Decided on the decimal digits, never through a `Double`, so large ids are not rounded.
    public var int: Int? {
        var magnitude: UInt64 = 0
        var significantDigits = 0  // digits in `magnitude`, leading zeros excluded
        var pendingZeros = 0  // zeros seen after the last non-zero digit, not yet in `magnitude`
        var fractionDigits = 0
        var isNegative = false
        var inFraction = false
        var exponent = 0
        var exponentIsNegative = false
        var inExponent = false

        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-") where !inExponent:
                isNegative = true
            case UInt8(ascii: "-"):
                exponentIsNegative = true
            case UInt8(ascii: "."):
                inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where inExponent:
                // Saturate: any exponent this large already decides the answer.
                exponent = min(exponent * 10 + Int(byte &- UInt8(ascii: "0")), 1_000_000)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inFraction { fractionDigits += 1 }
                let digit = UInt64(byte &- UInt8(ascii: "0"))
                if digit == 0 {
                    if significantDigits > 0 { pendingZeros += 1 }
                    continue
                }
                // Int.max has 19 digits; more significant digits cannot be in range.
                significantDigits += pendingZeros + 1
                guard significantDigits <= 19 else { return nil }
                for _ in 0..<pendingZeros { magnitude *= 10 }
                magnitude = magnitude * 10 + digit
                pendingZeros = 0
            default:
                break  // "+" in the exponent
            }
        }

        guard significantDigits > 0 else { return 0 }
        // `magnitude` has no trailing zeros, so any negative power of ten leaves a fraction.
        let scale = (exponentIsNegative ? -exponent : exponent) - fractionDigits + pendingZeros
        guard scale >= 0, significantDigits + scale <= 19 else { return nil }
        for _ in 0..<scale {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = product
        }
        if isNegative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return Int(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }

    /// Checks the RFC 8259 number starting at `start` and returns the offset just past it.
    ///
    /// The single definition of the grammar, shared by the parser and the text initialiser.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONParseError) -> Int {
        var offset = start
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }

        guard offset < bytes.count else { throw JSONParseError(message: "unexpected end of input", offset: offset) }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) {
                throw JSONParseError(message: "leading zeros are not allowed", offset: offset - 1)
            }
        } else {
            offset = try digits(bytes, from: offset)
        }

        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset = try digits(bytes, from: offset + 1)
        }

        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            offset = try digits(bytes, from: offset)
        }
        return offset
    }

    /// One or more digits from `start`; returns the offset after the last.
    private static func digits(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(JSONParseError) -> Int {
        guard start < bytes.count else { throw JSONParseError(message: "unexpected end of input", offset: start) }
        guard isDigit(bytes[start]) else { throw JSONParseError(message: "expected a digit", offset: start) }
        var offset = start + 1
        while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
        return offset
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
