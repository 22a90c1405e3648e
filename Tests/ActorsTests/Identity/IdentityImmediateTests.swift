import Foundation
import Logging
import NIOCore
import NIOPosix
import Persistence
import Testing
@testable import Actors

/// `Identity.immediately`: a synchronous turn on the actor's own event loop, and nothing
/// anywhere else (the caller then awaits the actor).
@Suite struct IdentityImmediateTests {
    @Test func runsInPlaceOnTheActorsLoopOnlyAndSeesTheSameState() async throws {
        let log = try TemporaryJournal("immediate")
        let (wal, journal) = (log.wal, log.journal)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let identity = Identity(
            state: IdentityState(), journal: journal, passwords: PasswordService(n: 16, threads: 1),
            mailer: Mailer(
                undelivered: [], relay: nil, relayName: "none", sender: MailTestSupport.sender, appURL: "https://app.test",
                journal: journal, logger: Logger(label: "test")),
            limiter: MailLimiter(sends: [], journal: journal), settings: .init(sessionTTL: 3600, resetTTL: 3600), loop: loop)
        _ = try await identity.signup(SignupInput.validate(email: "ada@example.com", password: "correct horse", name: "Ada"))
        let token = try await identity.login(email: "ada@example.com", password: "correct horse").value.token

        // Off the loop (this test's task): declined, nothing runs.
        let offLoop = try identity.immediately { identity throws(DomainError) in try identity.me(token).value.user.profile.name }
        #expect(offLoop == nil)

        // On the loop: runs now, on the actor's state, and its failures are thrown as they are.
        let onLoop = try await loop.submit { () throws -> String?? in
            try identity.immediately { identity throws(DomainError) in
                try identity.update(token, ProfilePatch.validate(name: "Ada L.")).value.user.profile.name
            }
        }.get()
        #expect(onLoop == "Ada L.")
        let refused = try await loop.submit { () -> DomainError? in
            do throws(DomainError) {
                _ = try identity.immediately { identity throws(DomainError) in try identity.me("not-a-token") }
                return nil
            } catch {
                return error
            }
        }.get()
        #expect(refused == .invalidSession)
        // The awaited turn sees the change made in place.
        #expect(try await identity.turn { identity throws(DomainError) in try identity.me(token).value.user.profile.name } == "Ada L.")

        await wal.close()
        try await group.shutdownGracefully()
    }
}
