/// The encodings a mail needs to travel as 7-bit text over SMTP, written out here because the
/// rules are small and exact: quoted-printable for bodies (RFC 2045 §6.7), encoded words for
/// non-ASCII header text (RFC 2047), and CRLF line ends throughout (RFC 5322 §2.1).
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

    /// A header value safe to put on one header line: control characters (CR and LF above all,
    /// which would let a value start a header of its own) become spaces; non-ASCII text becomes
    /// RFC 2047 encoded words, folded so that no line grows past 78 characters.
    static func headerText(_ value: String) -> String {
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        if cleaned.utf8.allSatisfy({ $0 < 0x80 }) { return cleaned }
        return encodedWords(cleaned).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters each, never splitting a character.
    static func encodedWords(_ value: String) -> [String] {
        // 45 bytes of UTF-8 encode to 60 base64 characters: 72 with the `=?UTF-8?B?` `?=` frame.
        let maxBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes {
                words.append(word(chunk))
                chunk = []
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
