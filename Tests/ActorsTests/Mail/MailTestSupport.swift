@testable import Actors

enum MailTestSupport {
    static let sender = MailSender(name: "PenguinMails", address: "no-reply@penguinmails.test")

    static func entry(_ n: Int = 1, to: String = "ada@example.com", at ms: Int64 = 1_800_000_000_000) -> OutboxEntry {
        OutboxEntry(
            id: ID(high: 0x1111_2222_3333_4444, low: UInt64(n)), createdAt: Timestamp(milliseconds: ms), to: to,
            content: .passwordReset(.init(userID: ID(high: 7, low: UInt64(n)), expiresAt: Timestamp(milliseconds: ms + 3_600_000))))
    }
}
