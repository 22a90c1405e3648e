import Foundation
import Testing
@testable import Actors

/// Header text must reach the reader exactly as pmd meant it (RFC 2047, RFC 5322 folding): the
/// rendered headers are unfolded and decoded here the way a mail client does, and compared
/// with the literal text.
@Suite("Mail header encoding")
struct HeaderEncodingTests {
    static func rendered(subject: String, fromName: String? = "PenguinMails") -> String {
        var message = MailMessage(
            MailMessageTests.entry, mail: MailMessageTests.mail, from: MailSender(name: fromName, address: "no-reply@penguinmails.test"))
        message.subject = subject
        return String(decoding: message.rendered(), as: UTF8.self)
    }

    static let subjects = [
        "You are invited to =?utf-8?b?SGVsbG8=?= on PenguinMails",
        "You are invited to =?UTF-8?Q?Caf=C3=A9?= on PenguinMails",
        "=?iso-8859-1?q?Gr=FC=DFe?=",
        "You are invited to " + String(repeating: "Northern Lights ", count: 6) + "Agency on PenguinMails",
        "You are invited to " + String(repeating: "a", count: 100) + " on PenguinMails",
        "You are invited to Café Ñandú 北极企鹅 👩‍👩‍👧 " + String(repeating: "é", count: 80) + " on PenguinMails",
        "You are invited to ?= =? ?==?= on PenguinMails",
        "Plain and short",
    ]

    @Test(arguments: subjects)
    func theSubjectReadsBackExactly(subject: String) throws {
        let text = Self.rendered(subject: subject)
        let value = try #require(HeaderReader.field("Subject", in: text))
        #expect(HeaderReader.decode(value) == subject)
    }

    @Test(arguments: subjects)
    func headerLinesStayShort(subject: String) {
        let head = Self.rendered(subject: subject).components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") {
            // RFC 2047 §2 for lines with encoded words, RFC 5322 §2.1.1 for the others.
            let limit = line.contains("=?") ? 76 : 78
            #expect(line.utf8.count <= limit, "\(line)")
            #expect(line.utf8.allSatisfy { $0 < 0x80 }, "\(line)")
            #expect(!line.isEmpty && !line.allSatisfy { $0 == " " })
        }
    }

    @Test(arguments: ["=?utf-8?q?Your_Bank?=", "Équipe =?x?", "Penguin \"Mails\", Inc.", String(repeating: "ü", count: 60)])
    func theSenderNameReadsBackExactly(name: String) throws {
        let value = try #require(HeaderReader.field("From", in: Self.rendered(subject: "Hi", fromName: name)))
        let display = try #require(HeaderReader.displayName(value))
        #expect(HeaderReader.decode(display) == name)
        #expect(value.hasSuffix("<no-reply@penguinmails.test>"))
    }

    @Test func controlCharactersCannotStartAHeader() throws {
        let text = Self.rendered(subject: "Hi\r\nBcc: victim@example.com=?")
        #expect(HeaderReader.field("Bcc", in: text) == nil)
        #expect(HeaderReader.decode(try #require(HeaderReader.field("Subject", in: text))) == "Hi  Bcc: victim@example.com=?")
    }
}

/// What a mail client does with a header: unfold it, then decode its encoded words.
enum HeaderReader {
    /// The unfolded value of the first field called `name` in the message's head.
    static func field(_ name: String, in text: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        return head.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    /// The display name of `Name <address>`, unquoted.
    static func displayName(_ value: String) -> String? {
        guard let open = value.lastIndex(of: "<") else { return nil }
        let name = value[..<open].trimmingCharacters(in: .whitespaces)
        guard name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 else { return name }
        return String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            .replacingOccurrences(of: "\\\\", with: "\\")
    }

    /// RFC 2047 decoding of space-separated tokens: encoded words (B or Q, UTF-8 or Latin-1)
    /// are decoded, and the white space between two adjacent encoded words is dropped.
    static func decode(_ value: String) -> String {
        var out = ""
        var pendingSpace = ""
        var previousWasEncoded = false
        for token in value.split(separator: " ", omittingEmptySubsequences: false) {
            if let decoded = decodeWord(String(token)) {
                if !previousWasEncoded { out += pendingSpace }
                out += decoded
                previousWasEncoded = true
            } else {
                out += pendingSpace + token
                previousWasEncoded = false
            }
            pendingSpace = " "
        }
        return out
    }

    private static func decodeWord(_ token: String) -> String? {
        let parts = token.split(separator: "?", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "=", parts[4] == "=" else { return nil }
        let encoding: String.Encoding = parts[1].lowercased() == "utf-8" ? .utf8 : .isoLatin1
        let bytes: Data
        switch parts[2].lowercased() {
        case "b":
            guard let data = Data(base64Encoded: String(parts[3])) else { return nil }
            bytes = data
        case "q":
            bytes = qDecoded(parts[3].utf8)
        default:
            return nil
        }
        return String(data: bytes, encoding: encoding)
    }

    /// RFC 2047 §4.2: `_` is a space, `=XX` a byte in hex.
    private static func qDecoded(_ text: Substring.UTF8View) -> Data {
        var out = Data()
        var bytes = text.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case UInt8(ascii: "_"): out.append(0x20)
            case UInt8(ascii: "="):
                let hex = [bytes.next(), bytes.next()].compactMap { $0 }
                out.append(UInt8(String(decoding: hex, as: UTF8.self), radix: 16) ?? 0x3F)
            default: out.append(byte)
            }
        }
        return out
    }
}
