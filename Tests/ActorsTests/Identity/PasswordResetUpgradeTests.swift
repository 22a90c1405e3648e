import Foundation
import Persistence
import Testing
@testable import Actors

/// An older pmd kept one `reset_tokens` row per token, keyed by its hash. Such rows are read,
/// their links keep working, and start-up rewrites them keyed by user.
@Suite struct PasswordResetUpgradeTests {
    @Test func aTokenKeyedRowBecomesTheUsersResetAndKeepsItsLink() async throws {
        let log = try TemporaryJournal("reset-upgrade", checkpoint: .everyCommit)
        let user = ID.random()
        let now = Timestamp.now()
        let hash = TokenHash(token: "an old link")
        var w = ByteWriter()
        w.write(UInt8(1))
        w.write(user)
        w.writeVarint(now.milliseconds)
        w.writeVarint(now.adding(seconds: 3600).milliseconds)
        let expired = TokenHash(token: "an expired link")
        var old = ByteWriter()
        old.write(UInt8(1))
        old.write(ID.random())
        old.writeVarint(now.adding(seconds: -7200).milliseconds)
        old.writeVarint(now.adding(seconds: -3600).milliseconds)
        let lsn = try log.journal.append(
            "test.old-rows", at: now,
            [
                .put(table: Tables.resetTokens, key: hash.bytes, value: w.bytes),
                .put(table: Tables.resetTokens, key: expired.bytes, value: old.bytes),
            ])
        try await log.wal.waitDurable(lsn)
        await log.wal.waitApplied(lsn)

        let loaded = try IdentityState.load(from: log.store, now: now)
        #expect(loaded.state.reset(token: hash)?.userID == user)
        #expect(loaded.state.resets.count == 1)
        #expect(Set(loaded.staleResetKeys) == [hash.bytes, expired.bytes])
        #expect(loaded.upgradedResets.map(\.userID) == [user])
        #expect(loaded.purgeOps.contains(PasswordReset(userID: user, requestedAt: now, expiresAt: now.adding(seconds: 3600), tokenHash: hash).put))
    }
}
