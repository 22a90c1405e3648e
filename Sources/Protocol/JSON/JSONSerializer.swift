extension JSON {
    /// Appends the compact serialisation: no whitespace, object members in order, numbers as
    /// their exact text, strings minimally escaped (`"`, `\` and control characters only).
    public func write(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(literal: "null")
        case .bool(let value):
            if value { output.append(literal: "true") } else { output.append(literal: "false") }
        case .number(let number):
            output.append(utf8: number.text)
        case .string(let string):
            JSON.writeString(string, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSON.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The compact serialisation as bytes.
    public var serialized: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        write(into: &output)
        return output
    }

    /// The compact serialisation as a string.
    public var compactString: String {
        String(decoding: serialized, as: UTF8.self)
    }

    /// Appends `string` as a JSON string literal, escaping only what RFC 8259 requires: `"`, `\`
    /// and control characters (short forms where they exist, else `\u00XX`). `/` and non-ASCII
    /// are written raw, keeping output short and readable.
    @inlinable
    static func writeString<Sink: JSONSink & ~Copyable>(_ string: String, into output: inout Sink) {
        output.append(byte: UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var runStart = 0  // first byte not yet copied
            var position = JSONPlainRun.end(in: bytes, from: 0)
            while position < bytes.count {
                let byte = bytes[position]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    output.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<position]))
                    appendEscape(for: byte, into: &output)
                    runStart = position + 1
                }
                position = JSONPlainRun.end(in: bytes, from: position + 1)
            }
            output.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(byte: UInt8(ascii: "\""))
    }

    @usableFromInline
    static func appendEscape<Sink: JSONSink & ~Copyable>(for byte: UInt8, into output: inout Sink) {
        output.append(byte: UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte: byte)
        case 0x08: output.append(byte: UInt8(ascii: "b"))
        case 0x0C: output.append(byte: UInt8(ascii: "f"))
        case 0x0A: output.append(byte: UInt8(ascii: "n"))
        case 0x0D: output.append(byte: UInt8(ascii: "r"))
        case 0x09: output.append(byte: UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            output.append(literal: "u00")
            output.append(byte: hex.utf8Start[Int(byte >> 4)])
            output.append(byte: hex.utf8Start[Int(byte & 0xF)])
        }
    }
}
