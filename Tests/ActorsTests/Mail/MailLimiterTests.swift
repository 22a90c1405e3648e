import Persistence
import Testing
@testable import Actors

@Suite("Mail limiter: counts and prunes through the WAL")
struct MailLimiterTests {
    @Test func refusesOverTheLimitAndTheSweepDeletesAgedOutRowsInOneRecord() async throws {
        let log = try TemporaryJournal("limiter")
        let limiter = MailLimiter(sends: [], journal: log.journal)
        let t0 = Timestamp.now()
        var granted: [MailSend] = []
        for _ in 0..<3 {
            guard case let .granted(send) = limiter.reserve([.resetsTo("ada@example.com")], mail: .random(), at: t0) else {
                Issue.record("under the limit")
                return
            }
            granted.append(send)
        }
        guard case let .refused(seconds) = limiter.reserve([.resetsTo("ada@example.com")], mail: .random(), at: t0) else {
            Issue.record("over the limit")
            return
        }
        #expect(seconds == 3600)
        limiter.release(granted[0])
        guard case .granted = limiter.reserve([.resetsTo("ada@example.com")], mail: .random(), at: t0) else {
            Issue.record("a released slot is free again")
            return
        }

        #expect(limiter.sweep(now: t0.adding(seconds: 3599)) == 0)
        #expect(limiter.sweep(now: t0.adding(seconds: 3600)) == 3)
        #expect(limiter.count == 0)
        let lsn = log.wal.lastAssignedLSN
        try await log.wal.waitDurable(lsn)
        let record = try log.store.records(from: lsn, limit: 1)[0].1
        #expect(record.kind == "mail.quota.sweep")
        #expect(record.ops.count == 3)
        #expect(record.ops.allSatisfy { if case let .delete(table, _) = $0 { table == Tables.mailQuota } else { false } })
    }
}
