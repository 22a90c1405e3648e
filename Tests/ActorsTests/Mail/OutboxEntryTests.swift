import Foundation
import Logging
import Persistence
import Testing
@testable import Actors

@Suite("Outbox rows")
struct OutboxEntryTests {
    static let invitation = OutboxEntry(
        createdAt: Timestamp(milliseconds: 1_800_000_000_000), to: "grace@example.com",
        content: .invitation(
            .init(
                tenantID: .random(), invitationID: .random(), tenantName: "Lovelace Outreach", role: .admin,
                expiresAt: Timestamp(milliseconds: 1_800_604_800_000))))

    func decode(_ op: WALOp) throws -> OutboxEntry? {
        guard case let .put(table, key, value) = op, table == Tables.outbox else { return nil }
        return try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try OutboxEntry(key: k, row: v) } }
    }

    @Test func aRowDecodesToTheEntryItCameFrom() throws {
        let entry = MailTestSupport.entry(7, to: "grace@example.com")
        #expect(try decode(entry.put) == entry)
        #expect(try decode(Self.invitation.put) == Self.invitation)
        var dead = Self.invitation
        dead.deadLetter = .init(since: Timestamp(milliseconds: 1_800_000_100_000), attempts: 5, reason: "550 5.1.1 Recipient rejected")
        #expect(try decode(dead.put) == dead)
        #expect(entry.delete == .delete(table: Tables.outbox, key: entry.id.bytes))
    }

    /// SPEC §5.7: what reaches the WAL and the tables says what the mail is about, never its link.
    @Test func aRowHoldsNoLink() {
        guard case let .put(_, _, value) = Self.invitation.put else { return }
        let text = String(decoding: value, as: UTF8.self)
        #expect(!text.contains("token"))
        #expect(!text.contains("http"))
    }

    /// Rows written by an older pmd held the rendered mail; they are still delivered as they are.
    @Test func aVersionOneRowIsARenderedMail() throws {
        var w = ByteWriter()
        w.write(UInt8(1))
        w.writeVarint(Int64(1_000))
        for field in ["ada@example.com", "Reset", "text with link", "<p>html</p>"] { w.write(field) }
        let id = ID.random()
        let entry = try id.bytes.withUnsafeBytes { k in try w.bytes.withUnsafeBytes { v in try OutboxEntry(key: k, row: v) } }
        #expect(entry.to == "ada@example.com")
        #expect(entry.content == .rendered(OutgoingMail(to: "ada@example.com", subject: "Reset", text: "text with link", html: "<p>html</p>")))
        #expect(!entry.content.needsLink)
    }

    @Test func undeliveredMailIsLoadedOldestFirstAndDeliveredMailIsGone() async throws {
        let log = try TemporaryJournal("outbox", retain: 100)
        let (store, wal, journal) = (log.store, log.wal, log.journal)
        let newer = MailTestSupport.entry(1, at: 2_000)
        let older = MailTestSupport.entry(2, at: 1_000)
        let delivered = MailTestSupport.entry(3, at: 500)
        _ = try journal.append("test.enqueue", at: .now(), [newer.put, older.put, delivered.put])
        let lsn = try journal.append("mail.delivered", at: .now(), [delivered.delete])
        try await wal.waitDurable(lsn)
        await wal.close()  // the tables are read at start, after a checkpoint
        #expect(try OutboxEntry.loadAll(from: store) == [older, newer])
    }
}
