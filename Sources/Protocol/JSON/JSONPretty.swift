extension JSON {
    /// A human-oriented rendering for the CLI: each array element and object member on its own
    /// line, indented by `indent` spaces per level, `"key": value`, empty containers as `[]`/`{}`,
    /// no trailing newline. Parses back to an equal value.
    public func prettyString(indent: Int = 2) -> String {
        var output: [UInt8] = []
        writePretty(into: &output, indent: max(0, indent), level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    private func writePretty(into output: inout [UInt8], indent: Int, level: Int) {
        switch self {
        case .array(let elements) where !elements.isEmpty:
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSON.newline(into: &output, indent: indent, level: level + 1)
                element.writePretty(into: &output, indent: indent, level: level + 1)
            }
            JSON.newline(into: &output, indent: indent, level: level)
            output.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (position, member) in object.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                JSON.newline(into: &output, indent: indent, level: level + 1)
                JSON.writeString(member.key, into: &output)
                output.append(contentsOf: ": ".utf8)
                member.value.writePretty(into: &output, indent: indent, level: level + 1)
            }
            JSON.newline(into: &output, indent: indent, level: level)
            output.append(UInt8(ascii: "}"))
        default:
            write(into: &output)
        }
    }

    private static func newline(into output: inout [UInt8], indent: Int, level: Int) {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }
}
