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

    @Test(arguments: [
        "PenguinMails", "no-reply", "@localhost", "a@b@c", "Name <no-reply>", "Name <a b@c>",
        "Name\r\nBcc: x@y <a@b>", "Name <a@b", "a@b>",
    ])
    func rejectsMalformedSenders(text: String) {
        #expect(MailAddress.parse(text) == .failure(ParseFailure(expected: MailAddress.syntax)))
    }
}
