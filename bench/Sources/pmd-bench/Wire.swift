import Protocol

/// The hot path's view of the protocol: request lines are pre-encoded once per (user, variant)
/// up to their id, and responses are only scanned for success and their id, never parsed.
enum Wire {
    /// A request line up to and including `"id":`; `append` completes it with an id.
    static func template(method: String, params: JSONObject) -> [UInt8] {
        var out = Array(#"{"jsonrpc":"2.0","method":"#.utf8)
        JSON.string(method).write(into: &out)
        out += Array(#","params":"#.utf8)
        JSON.object(params).write(into: &out)
        out += Array(#","id":"#.utf8)
        return out
    }

    /// Appends `template`, `id` and the closing `}\n`.
    @inline(__always)
    static func append(_ template: [UInt8], id: UInt64, into out: inout [UInt8]) {
        out.append(contentsOf: template)
        appendDecimal(id, into: &out)
        out.append(0x7d)  // }
        out.append(0x0a)
    }

    static func appendDecimal(_ value: UInt64, into out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
                rest /= 10
                count += 1
            } while rest > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    private static let resultPrefix = Array(#"{"jsonrpc":"2.0","result":"#.utf8)
    private static let idKey = Array(#""id":"#.utf8)
    private static let errorKey = Array(#""error":"#.utf8)

    /// What the hot path needs from a response line.
    struct Scan {
        var id: UInt64?
        var isError: Bool
    }

    static func scan(_ line: UnsafeRawBufferPointer) -> Scan {
        let isError = !hasPrefix(line, resultPrefix) && (contains(line, errorKey) || !contains(line, Array(#""result":"#.utf8)))
        return Scan(id: trailingID(line) ?? leadingID(line), isError: isError)
    }

    /// pmd writes the id last: `…,"id":123}`.
    private static func trailingID(_ line: UnsafeRawBufferPointer) -> UInt64? {
        var i = line.count - 1
        while i >= 0, line[i] == 0x0d || line[i] == 0x20 { i -= 1 }
        guard i > 0, line[i] == 0x7d else { return nil }
        i -= 1
        var value: UInt64 = 0
        var scale: UInt64 = 1
        var digits = 0
        while i >= 0, line[i] >= 0x30, line[i] <= 0x39, digits < 19 {
            value += UInt64(line[i] - 0x30) * scale
            scale *= 10
            digits += 1
            i -= 1
        }
        guard digits > 0, i + 1 >= idKey.count else { return nil }
        for (k, byte) in idKey.reversed().enumerated() where line[i - k] != byte { return nil }
        return value
    }

    /// Any other encoder would likely put it near the front: `{"jsonrpc":"2.0","id":123,…`.
    private static func leadingID(_ line: UnsafeRawBufferPointer) -> UInt64? {
        guard let at = firstIndex(of: idKey, in: line, within: 32) else { return nil }
        var i = at + idKey.count
        var value: UInt64 = 0
        var digits = 0
        while i < line.count, line[i] >= 0x30, line[i] <= 0x39, digits < 19 {
            value = value * 10 + UInt64(line[i] - 0x30)
            digits += 1
            i += 1
        }
        return digits > 0 ? value : nil
    }

    private static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: [UInt8]) -> Bool {
        guard line.count >= prefix.count else { return false }
        for i in 0..<prefix.count where line[i] != prefix[i] { return false }
        return true
    }

    private static func contains(_ line: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        firstIndex(of: needle, in: line, within: line.count) != nil
    }

    private static func firstIndex(of needle: [UInt8], in line: UnsafeRawBufferPointer, within limit: Int) -> Int? {
        let last = min(limit, line.count - needle.count)
        guard last >= 0 else { return nil }
        var i = 0
        outer: while i <= last {
            for k in 0..<needle.count where line[i + k] != needle[k] {
                i += 1
                continue outer
            }
            return i
        }
        return nil
    }
}
