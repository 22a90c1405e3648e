import Foundation
import Logging
import Persistence
import Testing
@testable import Actors

/// The password flows against a real store and WAL (in a temporary directory): each request
/// must be exactly one WAL record holding all of its effects.
@Suite("Identity password flows")
struct IdentityPasswordTests {
    final class Environment {
        let log: TemporaryJournal
        var store: Store { log.store }
        var wal: WriteAheadLog { log.wal }
        let identity: Identity

        init() throws {
            // Every batch checkpointed at once, so tests can read the tables (`loadAll`) while the
            // log runs, after `waitApplied`.
            log = try TemporaryJournal("identity", checkpoint: .everyCommit)
            let journal = log.journal
            let mailer = Mailer(
                undelivered: [], relay: nil, relayName: "none", sender: MailTestSupport.sender, appURL: "https://app.test",
                journal: journal, logger: Logger(label: "test"))
            identity = Identity(
                state: IdentityState(), journal: journal, passwords: PasswordService(n: 16, threads: 1), mailer: mailer,
                limiter: MailLimiter(sends: [], journal: journal),
                settings: .init(sessionTTL: 3600, resetTTL: 3600))
        }

        func record(_ lsn: LSN) async throws -> WALRecord {
            try await wal.waitDurable(lsn)
            return try store.records(from: lsn, limit: 1)[0].1
        }

        func tables(_ record: WALRecord) -> [String] {
            record.ops.map { op in
                switch op {
                case let .put(table, _, _): "put \(table)"
                case let .delete(table, _): "delete \(table)"
                }
            }.sorted()
        }

        func signupAndLogin(_ email: String, password: String, sessions: Int) async throws -> [String] {
            _ = try await identity.signup(SignupInput.validate(email: email, password: password, name: nil))
            var tokens: [String] = []
            for _ in 0..<sessions { tokens.append(try await identity.login(email: email, password: password).value.token) }
            return tokens
        }

        /// What the mailer does when it delivers a reset mail: mint the link, wait for its record.
        func mint(_ email: String) async throws -> (token: String, record: WALRecord) {
            let user = try #require(await identity.userID(email: email))
            guard case let .minted(secret, lsn) = await identity.mintResetLink(user: user) else {
                throw MintFailed()
            }
            return (secret.token, try await record(lsn))
        }

        struct MintFailed: Error {}
    }

    @Test func forgotIsOneRecordWithResetAndMailAndTheSameRecordShapeForUnknownEmails() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 0)
        let known = try await env.record(try await env.identity.forgotPassword(email: "ada@example.com").fence)
        #expect(known.kind == "password.reset.requested")
        #expect(env.tables(known) == ["put mail_quota", "put outbox", "put reset_tokens"])
        let unknown = try await env.record(try await env.identity.forgotPassword(email: "nobody@example.com").fence)
        #expect(unknown.kind == "password.reset.requested")
        #expect(unknown.ops.isEmpty)
        // A second request replaces the user's reset (its row is keyed by user) in the same record.
        let again = try await env.record(try await env.identity.forgotPassword(email: "ada@example.com").fence)
        #expect(env.tables(again) == ["put mail_quota", "put outbox", "put reset_tokens"])
        await env.wal.waitApplied(env.wal.durableLSN)
        #expect(try OutboxEntry.loadAll(from: env.store).count == 2)
    }

    /// Over the address's limit the record is as empty as for an unknown address, and the
    /// reset (with the link already sent) stays as it was.
    @Test func overTheLimitForgotWritesAnEmptyRecordAndKeepsTheSentLink() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 0)
        for _ in 0..<MailLimits.standard.resetsPerAddress.count {
            _ = try await env.identity.forgotPassword(email: "ada@example.com")
        }
        let (sent, _) = try await env.mint("ada@example.com")
        let over = try await env.record(try await env.identity.forgotPassword(email: "ada@example.com").fence)
        #expect(over.kind == "password.reset.requested")
        #expect(over.ops.isEmpty)
        _ = try await env.identity.resetPassword(token: sent, newPassword: "new password!")
    }

    /// SPEC §5.7: the token exists only in memory and in the mail; the WAL gets its hash.
    @Test func theLinkIsMintedAtDeliveryAndOnlyItsHashIsWritten() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 0)
        let forgot = try await env.record(try await env.identity.forgotPassword(email: "ada@example.com").fence)
        let (token, minted) = try await env.mint("ada@example.com")
        #expect(minted.kind == "password.reset.link")
        #expect(env.tables(minted) == ["put reset_tokens"])
        for record in [forgot, minted] {
            let text = String(decoding: record.encoded(), as: UTF8.self)
            #expect(!text.contains(token))
            #expect(!text.contains("token="))
        }
    }

    @Test func onlyTheLatestMintedLinkWorksAndAUsedResetMintsNothing() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 0)
        _ = try await env.identity.forgotPassword(email: "ada@example.com")
        let (first, _) = try await env.mint("ada@example.com")
        let (second, _) = try await env.mint("ada@example.com")
        await #expect(throws: DomainError.invalidResetToken) {
            try await env.identity.resetPassword(token: first, newPassword: "new password!")
        }
        _ = try await env.identity.resetPassword(token: second, newPassword: "new password!")
        let user = try #require(await env.identity.userID(email: "ada@example.com"))
        guard case .obsolete = await env.identity.mintResetLink(user: user) else {
            Issue.record("a used reset mints no link")
            return
        }
    }

    @Test func aNewRequestEndsTheLinkAlreadySent() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 0)
        _ = try await env.identity.forgotPassword(email: "ada@example.com")
        let (sent, _) = try await env.mint("ada@example.com")
        _ = try await env.identity.forgotPassword(email: "ada@example.com")
        await #expect(throws: DomainError.invalidResetToken) {
            try await env.identity.resetPassword(token: sent, newPassword: "new password!")
        }
    }

    @Test func resetIsOneRecordThatConsumesTheResetAndEndsEverySession() async throws {
        let env = try Environment()
        let sessions = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 2)
        _ = try await env.identity.forgotPassword(email: "ada@example.com")
        let (token, _) = try await env.mint("ada@example.com")

        let reset = try await env.record(try await env.identity.resetPassword(token: token, newPassword: "new password!").fence)
        #expect(reset.kind == "password.reset")
        #expect(env.tables(reset) == ["delete reset_tokens", "delete sessions", "delete sessions", "put users"])
        for session in sessions {
            await #expect(throws: DomainError.invalidSession) { try await env.identity.me(session) }
        }
        await #expect(throws: DomainError.invalidResetToken) {
            try await env.identity.resetPassword(token: token, newPassword: "another password")
        }
        _ = try await env.identity.login(email: "ada@example.com", password: "new password!")
    }

    @Test func changeIsOneRecordThatEndsOnlyTheOtherSessions() async throws {
        let env = try Environment()
        let sessions = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 3)
        await #expect(throws: DomainError.currentPasswordIncorrect) {
            try await env.identity.changePassword(sessions[0], currentPassword: "wrong horse", newPassword: "new password!")
        }
        let change = try await env.record(
            try await env.identity.changePassword(sessions[0], currentPassword: "correct horse", newPassword: "new password!").fence)
        #expect(change.kind == "password.changed")
        #expect(env.tables(change) == ["delete sessions", "delete sessions", "put users"])
        _ = try await env.identity.me(sessions[0])
        for session in sessions.dropFirst() {
            await #expect(throws: DomainError.invalidSession) { try await env.identity.me(session) }
        }
    }

    @Test func theSweepDeletesExpiredSessionsInOneRecord() async throws {
        let env = try Environment()
        _ = try await env.signupAndLogin("ada@example.com", password: "correct horse", sessions: 2)
        #expect(await env.identity.sweep(now: .now()) == 0)
        #expect(await env.identity.sweep(now: Timestamp.now().adding(seconds: 3601)) == 2)
        #expect(await env.identity.sessionCount == 0)
        let sweep = try await env.record(env.wal.lastAssignedLSN)
        #expect(sweep.kind == "identity.sweep")
        #expect(env.tables(sweep) == ["delete sessions", "delete sessions"])
    }
}
