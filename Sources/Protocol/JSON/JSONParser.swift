#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSON {
    /// Container nesting allowed by default: deep enough for any real message, shallow enough
    /// that the recursive parser cannot exhaust a thread's stack.
    public static let defaultMaxDepth = 128

    /// Parses exactly one JSON value, optionally surrounded by whitespace, under RFC 8259's strict
    /// grammar: no comments, trailing commas, `NaN`, leading zeros, raw control characters,
    /// lone surrogates, invalid UTF-8 or duplicate object keys.
    ///
    /// - Parameter maxDepth: the most arrays/objects that may be nested inside one another.
    ///   Nesting is parsed recursively, so keep this modest on small-stack threads.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSON {
        // Viewing the bytes as typed UInt8 lets slices be copied with memcpy rather than per byte.
        try bytes.withMemoryRebound(to: UInt8.self) { typed in
            Result { () throws(JSONParseError) in try parse(contiguous: typed, maxDepth: maxDepth) }
        }.get()
    }

    /// Parses exactly one JSON value; see the `UnsafeRawBufferPointer` overload.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try parse(contiguous: buffer, maxDepth: maxDepth) }
        }.get()
    }

    /// Parses exactly one JSON value from any byte sequence (copied first if not contiguous).
    public static func parse(
        _ bytes: some Sequence<UInt8>,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSON {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(contiguous: buffer, maxDepth: maxDepth) }
        }
        return try (contiguous ?? Result { () throws(JSONParseError) in try parse(Array(bytes), maxDepth: maxDepth) }).get()
    }

    /// Parses exactly one JSON value from the string's UTF-8.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSON {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(contiguous: buffer, maxDepth: maxDepth) }
        }.get()
    }

    /// The shared entry point behind every overload.
    static func parse(contiguous bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONParseError) -> JSON {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }
}

/// A single-pass recursive-descent parser over raw bytes.
///
/// Only strings can contain non-ASCII, so UTF-8 is validated there and every other non-ASCII
/// byte is simply an unexpected character.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    var offset = 0
    private var depth = 0
    /// Room allocated up front for a non-empty container's members: JSON-RPC envelopes have
    /// two to five, and growing one element at a time would reallocate two or three times.
    private static let initialCapacity = 4
    /// Reused across strings: only strings with escapes need a copy of their bytes.
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSON {
        let value = try parseValue()
        skipWhitespace()
        guard offset == bytes.count else { throw failure("unexpected data after the value") }
        return value
    }

    mutating func parseValue() throws(JSONParseError) -> JSON {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return .object(try parseObject())
        case UInt8(ascii: "["):
            return .array(try parseArray())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            offset = try JSONNumber.scan(UnsafeRawBufferPointer(bytes), from: start)
            return .number(JSONNumber(validatedText: makeString(start..<offset)))
        default:
            throw failure("unexpected character")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> [JSON] {
        try enterContainer()
        skipWhitespace()
        var elements: [JSON] = []
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            depth -= 1
            return elements
        }
        elements.reserveCapacity(Self.initialCapacity)
        while true {
            elements.append(try parseValue())
            if try consumeSeparator(closing: UInt8(ascii: "]"), "expected ',' or ']'") { break }
        }
        depth -= 1
        return elements
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONObject {
        try enterContainer()
        skipWhitespace()
        var object = JSONObject()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            depth -= 1
            return object
        }
        object.reserveCapacity(Self.initialCapacity)
        while true {
            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of input") }
            guard bytes[offset] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let keyOffset = offset
            let key = try parseString()

            skipWhitespace()
            guard offset < bytes.count else { throw failure("unexpected end of input") }
            guard bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            offset += 1

            // Rejected rather than last-wins: two "id"s make a request ambiguous.
            guard object.insertNew(key, try parseValue()) else { throw failure("duplicate key", at: keyOffset) }
            if try consumeSeparator(closing: UInt8(ascii: "}"), "expected ',' or '}'") { break }
        }
        depth -= 1
        return object
    }

    /// Consumes the byte after a container element: `true` if it closed the container, `false`
    /// for a comma.
    mutating func consumeSeparator(closing: UInt8, _ message: String) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[offset] {
        case UInt8(ascii: ","):
            offset += 1
            return false
        case closing:
            offset += 1
            return true
        default:
            throw failure(message)
        }
    }

    /// Steps over an opening bracket, enforcing the depth limit.
    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maxDepth else { throw failure("nesting too deep") }
        offset += 1
    }

    /// Parses a string whose opening quote is at `offset`.
    private mutating func parseString() throws(JSONParseError) -> String {
        offset += 1
        let start = offset
        var runStart = start  // first byte not yet copied to `scratch`
        var hasEscapes = false
        while true {
            offset = JSONPlainRun.end(in: UnsafeRawBufferPointer(bytes), from: offset)
            guard offset < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let string: String
                if hasEscapes {
                    scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
                    string = String(decoding: scratch, as: UTF8.self)
                } else {
                    string = Self.envelopeWord(bytes, start..<offset) ?? makeString(start..<offset)
                }
                offset += 1
                return string
            } else if byte == UInt8(ascii: "\\") {
                if !hasEscapes {
                    scratch.removeAll(keepingCapacity: true)
                    hasEscapes = true
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<offset]))
                try parseEscape()
                runStart = offset
            } else if byte < 0x20 {
                throw failure("control character in string")
            } else {
                try skipUTF8Sequence()
            }
        }
    }

    /// Decodes the escape at `offset` (a backslash) into `scratch`.
    private mutating func parseEscape() throws(JSONParseError) {
        let escapeStart = offset
        guard offset + 1 < bytes.count else { throw failure("unterminated string", at: bytes.count) }
        let decoded: UInt8
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""): decoded = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): decoded = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): decoded = UInt8(ascii: "/")
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            offset += 2
            var scalar = try parseHex4()
            if scalar & 0xFC00 == 0xD800 {
                // A high surrogate is only meaningful as the first half of a \uXXXX\uXXXX pair.
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                else { throw failure("unpaired surrogate", at: escapeStart) }
                offset += 2
                let low = try parseHex4()
                guard low & 0xFC00 == 0xDC00 else { throw failure("unpaired surrogate", at: escapeStart) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar & 0xFC00 == 0xDC00 {
                throw failure("unpaired surrogate", at: escapeStart)
            }
            appendUTF8(scalar)
            return
        default:
            throw failure("invalid escape")
        }
        scratch.append(decoded)
        offset += 2
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// Appends a Unicode scalar value (never a surrogate) as UTF-8.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Steps over one multi-byte UTF-8 sequence starting at `offset`, rejecting overlong forms,
    /// encoded surrogates and values past U+10FFFF (RFC 3629 table 3-7).
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[offset]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F
        case 0xF0: length = 4; secondLow = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F
        default: throw failure("invalid UTF-8")
        }
        guard offset + length <= bytes.count, (secondLow...secondHigh).contains(bytes[offset + 1])
        else { throw failure("invalid UTF-8") }
        for continuation in (offset + 2)..<(offset + length) where bytes[continuation] & 0xC0 != 0x80 {
            throw failure("invalid UTF-8")
        }
        offset += length
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = offset
        for index in 0..<literal.utf8CodeUnitCount {
            guard start + index < bytes.count else { throw failure("unexpected end of input", at: bytes.count) }
            guard bytes[start + index] == literal.utf8Start[index] else { throw failure("invalid literal", at: start + index) }
        }
        offset += literal.utf8CodeUnitCount
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    /// The envelope's member names (and its version), which every request carries, as literals:
    /// otherwise each is a new String, validated and built byte by byte — a tenth of what parsing
    /// a `users.me` request costs (`bench/scripts/instructions.py`).
    private static func envelopeWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        func equals(_ word: StaticString) -> Bool {
            memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
        }
        switch range.count {
        case 2: return equals("id") ? "id" : nil
        case 3: return equals("2.0") ? "2.0" : nil
        case 6: return equals("method") ? "method" : equals("params") ? "params" : nil
        case 7: return equals("jsonrpc") ? "jsonrpc" : equals("session") ? "session" : nil
        default: return nil
        }
    }

    /// Bytes already known to be valid UTF-8, as a String.
    private func makeString(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func failure(_ message: String, at position: Int? = nil) -> JSONParseError {
        JSONParseError(message: message, offset: position ?? offset)
    }
}
