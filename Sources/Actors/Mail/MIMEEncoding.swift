/// The encodings a mail needs to travel as 7-bit text over SMTP, written out here because the
/// rules are small and exact: quoted-printable for bodies (RFC 2045 §6.7), encoded words for
/// header text that is not plain ASCII (RFC 2047), folding of long header lines, and CRLF line
/// ends throughout (RFC 5322 §2.1).
enum MIMEEncoding {
    /// Longest encoded body line, without the CRLF (RFC 2045 §6.7 rule 5).
    static let maxQuotedPrintableLine = 76

    /// Quoted-printable encoding of UTF-8 text. Line breaks (`\n`, `\r\n` or `\r`) become CRLF;
    /// long lines get soft breaks (`=` CRLF). `=` itself is always encoded, which is what lets a
    /// boundary starting with `=_` never occur inside an encoded body.
    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        for (index, line) in lines(text).enumerated() {
            if index > 0 { out += [0x0D, 0x0A] }
            var column = 0
            for (position, byte) in line.enumerated() {
                let isLast = position == line.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    // Trailing white space is stripped by some transports, so it is encoded.
                    || ((byte == 0x20 || byte == 0x09) && !isLast)
                let width = literal ? 1 : 3
                // Leave room for the soft break's `=` unless this is the line's last character.
                if column + width > (isLast ? maxQuotedPrintableLine : maxQuotedPrintableLine - 1) {
                    out += [UInt8(ascii: "="), 0x0D, 0x0A]
                    column = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0x0F))
                }
                column += width
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Longest header line RFC 5322 §2.1.1 asks for, without the CRLF.
    static let maxHeaderLine = 78
    /// Longest line holding an encoded word (RFC 2047 §2), without the CRLF.
    static let maxEncodedLine = 76

    /// An unstructured header value (a Subject) that a mail client shows as exactly `value`,
    /// for a field whose name and `: ` take `prefix` characters of the first line.
    ///
    /// Plain text goes as it is, folded at its spaces where a line would grow too long. Anything
    /// else is sent as RFC 2047 encoded words, all of it (`isPlain` says what is plain): encoding
    /// only non-ASCII text would let a tenant named `=?utf-8?b?…?=` reach the Subject as an
    /// encoded word of its own, which the recipient's client would show decoded — as whatever
    /// its author chose.
    static func headerText(_ value: String, prefix: Int) -> String {
        let cleaned = withoutControls(value)
        if cleaned.isEmpty { return "" }
        if isPlain(cleaned), let folded = foldedAtSpaces(cleaned, prefix: prefix) { return folded }
        return encodedWords(cleaned, firstLineRoom: maxEncodedLine - prefix).joined(separator: "\r\n ")
    }

    /// Control characters (CR and LF above all, which would let a value start a header of its
    /// own) become spaces: no client would show them, and names cannot contain them anyway.
    static func withoutControls(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Whether `value` reads the same in a header as written: printable ASCII and single
    /// spaces between words, and no `=?`, which starts an encoded word. Leading, trailing and
    /// doubled spaces are not plain because parsers may drop them, and folding at one of
    /// doubled spaces would leave a line of nothing but white space.
    static func isPlain(_ value: String) -> Bool {
        var previous: UInt8 = 0x20
        for byte in value.utf8 {
            guard byte >= 0x20 && byte < 0x7F else { return false }
            if byte == 0x20 && previous == 0x20 { return false }
            if byte == UInt8(ascii: "?") && previous == UInt8(ascii: "=") { return false }
            previous = byte
        }
        return previous != 0x20
    }

    /// Plain text with a line break before the spaces where a line would pass `maxHeaderLine`
    /// (unfolding takes out only the CRLF, so the text is unchanged); nil when a word is too
    /// long to fit a line at all.
    static func foldedAtSpaces(_ value: String, prefix: Int) -> String? {
        var out = ""
        var column = prefix
        for (index, word) in value.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            let width = word.utf8.count
            if index == 0 {
                out += word
                column += width
            } else if column + 1 + width <= maxHeaderLine {
                out += " " + word
                column += 1 + width
            } else {
                out += "\r\n " + word
                column = 1 + width
            }
            if column > maxHeaderLine { return nil }
        }
        return out
    }

    /// `=?UTF-8?B?…?=` words, the first at most `firstLineRoom` characters and the others at
    /// most 75 (each goes on a line of its own after a space), never splitting a character's
    /// UTF-8 bytes. Decoders join adjacent encoded words without the white space between them.
    static func encodedWords(_ value: String, firstLineRoom: Int = maxEncodedLine - 1) -> [String] {
        // The `=?UTF-8?B?` `?=` frame takes 12 characters; every 4 base64 characters carry 3 bytes.
        func capacity(_ room: Int) -> Int { max((room - 12) / 4 * 3, 4) }
        var maxBytes = capacity(firstLineRoom)
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in value.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes {
                words.append(word(chunk))
                chunk = []
                maxBytes = capacity(maxEncodedLine - 1)
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        // RFC 2047's "B" encoding is RFC 2045 base64, which pads to a multiple of four.
        let unpadded = Base64.encodeNoPad(bytes)
        return "=?UTF-8?B?" + unpadded + String(repeating: "=", count: (4 - unpadded.utf8.count % 4) % 4) + "?="
    }

    /// The text's lines, split on `\r\n`, `\n` or a lone `\r`.
    static func lines(_ text: String) -> [[UInt8]] {
        var result: [[UInt8]] = [[]]
        var previousCR = false
        for byte in text.utf8 {
            switch byte {
            case 0x0A:
                if !previousCR { result.append([]) }
                previousCR = false
            case 0x0D:
                result.append([])
                previousCR = true
            default:
                result[result.count - 1].append(byte)
                previousCR = false
            }
        }
        return result
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
