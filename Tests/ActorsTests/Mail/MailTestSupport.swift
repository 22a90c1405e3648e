@testable import Actors

enum MailTestSupport {
    static let sender = MailSender(name: "PenguinMails", address: "no-reply@penguinmails.test")

    static func entry(_ n: Int = 1, to: String = "ada@example.com", at ms: Int64 = 1_800_000_000_000) -> OutboxEntry {
        OutboxEntry(
            id: ID(high: 0x1111_2222_3333_4444, low: UInt64(n)), createdAt: Timestamp(milliseconds: ms),
            mail: OutgoingMail(to: to, subject: "Subject \(n)", text: "Text \(n)\n", html: "<p>HTML \(n)</p>"))
    }
}
