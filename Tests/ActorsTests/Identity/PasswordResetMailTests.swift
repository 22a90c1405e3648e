import Testing
@testable import Actors

@Suite("Password-reset mail")
struct PasswordResetMailTests {
    static let token = "q5gb74o_eaQazWfZ7qJnwvyZ_rN7UrunsVkyqKpCNjg"

    @Test func bothPartsCarryTheLinkToTheApp() {
        let mail = PasswordResetMail.compose(to: "ada@example.com", appURL: "https://app.example.com", token: Self.token, validForSeconds: 3600)
        let link = "https://app.example.com/reset-password?token=\(Self.token)"
        #expect(mail.to == "ada@example.com")
        #expect(mail.subject == "Reset your PenguinMails password")
        #expect(mail.text.contains(link))
        #expect(mail.html.contains("href=\"\(link)\""))
        #expect(mail.text.contains("within 1 hour"))
    }

    @Test func htmlEscapesWhatItShows() {
        let mail = PasswordResetMail.compose(to: "a<b>@example.com", appURL: "https://x.test", token: Self.token, validForSeconds: 60)
        #expect(mail.html.contains("a&lt;b&gt;@example.com"))
        #expect(!mail.html.contains("a<b>"))
    }

    @Test(arguments: [
        (Int64(3600), "1 hour"), (7200, "2 hours"), (1800, "30 minutes"), (86_400, "1 day"), (90, "90 seconds"), (1, "1 second"),
    ])
    func lifetimesReadLikeAPersonWouldSayThem(seconds: Int64, text: String) {
        #expect(LinkMail.humanDuration(seconds: seconds) == text)
    }
}
