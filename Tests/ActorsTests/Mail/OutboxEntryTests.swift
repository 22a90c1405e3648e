import Foundation
import Logging
import Persistence
import Testing
@testable import Actors

@Suite("Outbox rows")
struct OutboxEntryTests {
    @Test func aRowDecodesToTheEntryItCameFrom() throws {
        let entry = MailTestSupport.entry(7, to: "grace@example.com")
        guard case let .put(table, key, value) = entry.put else {
            Issue.record("expected a put")
            return
        }
        #expect(table == Tables.outbox)
        let decoded = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try OutboxEntry(key: k, row: v) } }
        #expect(decoded == entry)
        #expect(entry.delete == .delete(table: Tables.outbox, key: entry.id.bytes))
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
