import Testing

@testable import pmd

@Suite struct MailAddressTests {
    @Test func displayNameAndAddress() throws {
        let from = try MailAddress.parse("PenguinMails <no-reply@localhost>").get()
        #expect(from == MailAddress(name: "PenguinMails", address: "no-reply@localhost"))
        #expect(from.description == "PenguinMails <no-reply@localhost>")
    }

    @Test func bareAddress() {
        #expect(MailAddress.parse("ops@example.com") == .success(MailAddress(name: nil, address: "ops@example.com")))
        #expect(MailAddress.parse("<ops@example.com>") == .success(MailAddress(name: nil, address: "ops@example.com")))
    }

    @Test func quotedNamesAreUnquotedAndRequotedWhenNeeded() throws {
        let from = try MailAddress.parse(#""Penguin, Inc." <billing@example.com>"#).get()
        #expect(from.name == "Penguin, Inc.")
        #expect(from.description == #""Penguin, Inc." <billing@example.com>"#)
    }

    /// Found by fuzzing (fuzz/README.md): spaces inside the quotes were kept in the name, which
    /// then printed unquoted, so the printed setting read back as another name.
    @Test func spacesInsideTheQuotesAreTrimmedAndTheNameReadsBack() throws {
        let from = try MailAddress.parse(#""  Penguin Mails " <a@b.test>"#).get()
        #expect(from == MailAddress(name: "Penguin Mails", address: "a@b.test"))
        #expect(MailAddress.parse(from.description) == .success(from))
        #expect(MailAddress.parse(#"" " <a@b.test>"#) == .success(MailAddress(name: nil, address: "a@b.test")))
    }

    /// Found by fuzzing: a quote followed by a combining mark is one Character, so the quotes
    /// were not seen as quotes, on the way in or out.
    @Test func quotesAreFoundBeforeCombiningMarks() throws {
        let from = try MailAddress.parse("\u{5AF}e,UM \"<z@c>").get()
        #expect(from.name == "\u{5AF}e,UM \"")
        #expect(MailAddress.parse(from.description) == .success(from))
        let quoted = try MailAddress.parse("\"\u{301}Ana\" <a@b.test>").get()
        #expect(quoted.name == "\u{301}Ana")
        #expect(MailAddress.parse(quoted.description) == .success(quoted))
    }

    @Test(arguments: [
        "PenguinMails", "no-reply", "@localhost", "a@b@c", "Name <no-reply>", "Name <a b@c>",
        "Name\r\nBcc: x@y <a@b>", "Name <a@b", "a@b>",
    ])
    func rejectsMalformedSenders(text: String) {
        #expect(MailAddress.parse(text) == .failure(ParseFailure(expected: MailAddress.syntax)))
    }
}
