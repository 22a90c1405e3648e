import Testing
@testable import Actors

@Suite("Mail content: composed at delivery, around a minted token")
struct MailContentTests {
    static let createdAt = Timestamp(milliseconds: 1_800_000_000_000)
    static let token = "4E-_yXTrxiLo3kBVxIEgCOY25LQomDLl0qXmE6gJV4k"

    @Test func aResetMailLinksToTheTokenAndStatesTheResetsLifetime() {
        let content = MailContent.passwordReset(.init(userID: .random(), expiresAt: Self.createdAt.adding(seconds: 3600)))
        let mail = content.compose(to: "ada@example.com", createdAt: Self.createdAt, token: Self.token, appURL: "https://app.test")
        #expect(mail.to == "ada@example.com")
        #expect(mail.subject == content.subject)
        #expect(mail.text.contains("https://app.test/reset-password?token=\(Self.token)"))
        #expect(mail.text.contains("within 1 hour"))
    }

    @Test func anInvitationMailNamesTheTenantAndRole() {
        let content = MailContent.invitation(
            .init(
                tenantID: .random(), invitationID: .random(), tenantName: "Lovelace Outreach", role: .viewer,
                expiresAt: Self.createdAt.adding(seconds: 7 * 86_400)))
        let mail = content.compose(to: "grace@example.com", createdAt: Self.createdAt, token: Self.token, appURL: "https://app.test")
        #expect(mail.subject == "You are invited to Lovelace Outreach on PenguinMails")
        #expect(content.subject == mail.subject)
        #expect(mail.text.contains("https://app.test/invite?token=\(Self.token)"))
        #expect(mail.text.contains("as viewer"))
        #expect(mail.text.contains("within 7 days"))
    }

    @Test func aRenderedMailIsSentAsItIs() {
        let old = OutgoingMail(to: "ada@example.com", subject: "Old", text: "t", html: "h")
        #expect(MailContent.rendered(old).compose(to: "x@example.com", createdAt: Self.createdAt, token: "", appURL: "") == old)
    }
}
