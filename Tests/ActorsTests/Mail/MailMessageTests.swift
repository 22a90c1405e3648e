import Foundation
import Testing
@testable import Actors

@Suite("Mail message rendering")
struct MailMessageTests {
    static let mail = OutgoingMail(
        to: "ada@example.com", subject: "Reset your password",
        text: "Hello,\nopen http://app.test/reset-password?token=abc_DEF-123\n",
        html: "<p>Hello, <a href=\"http://app.test/x\">reset</a></p>")
    static let entry = OutboxEntry(
        id: ID("3f4f9280-3edd-4fe1-90ea-c4add6d0dbfc")!, createdAt: Timestamp(milliseconds: 1_795_694_400_000),
        to: "ada@example.com", content: .rendered(mail))

    static func message(from sender: MailSender = MailTestSupport.sender) -> MailMessage {
        MailMessage(entry, mail: mail, from: sender)
    }

    static var rendered: String { String(decoding: message().rendered(), as: UTF8.self) }

    static func header(_ name: String, in text: String) -> String? {
        let head = text.components(separatedBy: "\r\n\r\n")[0].replacingOccurrences(of: "\r\n ", with: " ")
        return head.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) }
    }

    @Test func everyLineEndsInCRLF() {
        let bytes = Self.message().rendered()
        for (i, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D, "bare LF at \(i)") }
            if byte == 0x0D { #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "bare CR at \(i)") }
        }
        #expect(bytes.suffix(2) == [0x0D, 0x0A])
    }

    @Test func carriesTheRequiredHeaders() {
        let text = Self.rendered
        #expect(Self.header("Date", in: text) == "Thu, 26 Nov 2026 12:00:00 +0000")
        #expect(Self.header("From", in: text) == "PenguinMails <no-reply@penguinmails.test>")
        #expect(Self.header("To", in: text) == "ada@example.com")
        #expect(Self.header("Subject", in: text) == "Reset your password")
        #expect(Self.header("Message-ID", in: text) == "<3f4f9280-3edd-4fe1-90ea-c4add6d0dbfc@penguinmails.test>")
        #expect(Self.header("MIME-Version", in: text) == "1.0")
        #expect(Self.header("Content-Type", in: text) == "multipart/alternative; boundary=\"=_pmd_3f4f92803edd4fe190eac4add6d0dbfc\"")
    }

    @Test func hasAPlainTextAndAnHTMLPartBetweenBoundaries() {
        let text = Self.rendered
        let boundary = "=_pmd_3f4f92803edd4fe190eac4add6d0dbfc"
        let sections = text.components(separatedBy: "\r\n--\(boundary)")
        #expect(sections.count == 4)  // preamble, plain, html, "--" closing
        #expect(sections[1].contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        #expect(sections[2].contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"))
        #expect(sections[3] == "--\r\n")
        #expect(QuotedPrintable.decode(body(of: sections[1])) == "Hello,\r\nopen http://app.test/reset-password?token=abc_DEF-123\r\n")
        #expect(QuotedPrintable.decode(body(of: sections[2])) == Self.mail.html)
    }

    @Test func renderingIsDeterministicSoRetriesSendTheSameMessage() {
        let message = Self.message()
        #expect(message.rendered() == message.rendered())
    }

    @Test func rfc5322Dates() {
        #expect(MailDate.format(Timestamp(milliseconds: 951_868_799_000)) == "Tue, 29 Feb 2000 23:59:59 +0000")
        #expect(MailDate.format(Timestamp(milliseconds: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailDate.format(Timestamp(milliseconds: -1000)) == "Wed, 31 Dec 1969 23:59:59 +0000")
    }

    @Test func headerValuesCannotInjectHeaders() {
        var message = Self.message()
        message.subject = "Hi\r\nBcc: victim@example.com"
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(Self.header("Subject", in: text).map(HeaderReader.decode) == "Hi  Bcc: victim@example.com")
        #expect(Self.header("Bcc", in: text) == nil)
    }

    @Test func nonASCIIHeaderTextBecomesEncodedWords() {
        var message = Self.message(from: MailSender(name: "Équipe PenguinMails", address: "no-reply@penguinmails.test"))
        message.subject = "Réinitialisez votre mot de passe"
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(Self.header("Subject", in: text) == "=?UTF-8?B?UsOpaW5pdGlhbGlzZXogdm90cmUgbW90IGRlIHBhc3Nl?=")
        #expect(Self.header("From", in: text)?.hasSuffix("?= <no-reply@penguinmails.test>") == true)
        #expect(text.utf8.allSatisfy { $0 < 0x80 }, "the whole message is 7-bit")
    }

    @Test func longNonASCIIHeadersAreFoldedIntoShortWords() {
        let words = MIMEEncoding.encodedWords(String(repeating: "é", count: 100), firstLineRoom: 76 - "Subject: ".count)
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.utf8.count <= 75 })
        let folded = MIMEEncoding.headerText(String(repeating: "é", count: 100), prefix: "Subject: ".count)
        #expect(folded.components(separatedBy: "\r\n ").count == words.count)
    }

    @Test func displayNamesWithSpecialsAreQuoted() {
        let message = Self.message(from: MailSender(name: "Penguin \"Mails\", Inc.", address: "a@b.test"))
        #expect(message.fromHeader == "\"Penguin \\\"Mails\\\", Inc.\" <a@b.test>")
        #expect(Self.message(from: MailSender(name: nil, address: "a@b.test")).fromHeader == "a@b.test")
    }

    @Test func quotedPrintableKeepsLinesShortAndEncodesWhatItMust() {
        let long = String(repeating: "abcdefghij", count: 20) + " end "
        let encoded = MIMEEncoding.quotedPrintable(long + "\n= é\ttab")
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        #expect(encoded.contains("=3D"))
        #expect(encoded.contains("=C3=A9"))
        #expect(encoded.contains("end=20"), "trailing space is encoded")
        #expect(QuotedPrintable.decode(encoded) == long + "\r\n= é\ttab")
    }

    @Test func quotedPrintableNeverProducesTheBoundaryPrefix() {
        let encoded = MIMEEncoding.quotedPrintable("=_pmd_ sneaky boundary =_")
        #expect(!encoded.contains("=_"))
    }

    private func body(of section: String) -> String {
        section.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    }
}

/// A small quoted-printable decoder, to check the encoder by round trip.
enum QuotedPrintable {
    static func decode(_ text: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "=") {
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A {
                    i += 3
                    continue
                }
                if i + 2 < bytes.count, let value = UInt8(String(decoding: bytes[i + 1...i + 2], as: UTF8.self), radix: 16) {
                    out.append(value)
                    i += 3
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
