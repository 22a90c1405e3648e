import Testing
@testable import Actors

@Suite("Session and password-reset expiry")
struct TokenExpiryTests {
    static let t0 = Timestamp(milliseconds: 1_800_000_000_000)
    static let user = ID(high: 1, low: 2)

    static func session(ttl: Int64, byte: UInt8 = 1) -> Session {
        Session(
            tokenHash: TokenHash(digest: [UInt8](repeating: byte, count: 32)), userID: user, createdAt: t0,
            expiresAt: t0.adding(seconds: ttl), activeTenantID: nil)
    }

    static func reset(ttl: Int64, byte: UInt8 = 9, user: ID = user) -> PasswordReset {
        PasswordReset(
            userID: user, requestedAt: t0, expiresAt: t0.adding(seconds: ttl),
            tokenHash: TokenHash(digest: [UInt8](repeating: byte, count: 32)))
    }

    @Test func aResetIsGoodForExactlyItsLifetime() {
        let token = Self.reset(ttl: 3600)
        #expect(!token.isExpired(at: Self.t0))
        #expect(!token.isExpired(at: Timestamp(milliseconds: Self.t0.milliseconds + 3_599_999)))
        #expect(token.isExpired(at: Self.t0.adding(seconds: 3600)))
    }

    @Test func aSessionExpiresAtItsExpiry() {
        let session = Self.session(ttl: 30 * 86_400)
        #expect(!session.isExpired(at: Self.t0.adding(seconds: 30 * 86_400 - 1)))
        #expect(session.isExpired(at: Self.t0.adding(seconds: 30 * 86_400)))
    }

    @Test func longSessionsRenewAtMostHourly() {
        let session = Self.session(ttl: 30 * 86_400)
        #expect(!session.needsRenewal(at: Self.t0.adding(seconds: 3599), ttlSeconds: 30 * 86_400))
        #expect(session.needsRenewal(at: Self.t0.adding(seconds: 3600), ttlSeconds: 30 * 86_400))
    }

    @Test func shortSessionsRenewAfterHalfTheirLifetime() {
        let session = Self.session(ttl: 4)
        #expect(!session.needsRenewal(at: Self.t0.adding(seconds: 1), ttlSeconds: 4))
        #expect(session.needsRenewal(at: Self.t0.adding(seconds: 2), ttlSeconds: 4))
    }

    @Test func theSweepFindsOnlyExpiredEntriesAndRespectsItsLimit() {
        var state = IdentityState()
        state.put(Self.session(ttl: 10, byte: 1))
        state.put(Self.session(ttl: 10, byte: 2))
        state.put(Self.session(ttl: 100, byte: 3))
        state.put(Self.reset(ttl: 10, byte: 4, user: ID(high: 1, low: 4)))
        state.put(Self.reset(ttl: 100, byte: 5, user: ID(high: 1, low: 5)))
        let later = Self.t0.adding(seconds: 50)
        let all = state.expired(at: later, limit: 10)
        #expect(all.sessions.count == 2)
        #expect(all.resets.map(\.userID) == [ID(high: 1, low: 4)])
        #expect(state.expired(at: later, limit: 1).sessions.count == 1)
        #expect(state.expired(at: Self.t0, limit: 10).sessions.isEmpty)
    }

    @Test func aUserHasOneResetAndOnlyItsLatestLinkFindsIt() {
        var state = IdentityState()
        let a = Self.reset(ttl: 10, byte: 4)
        let b = Self.reset(ttl: 10, byte: 5)
        state.put(a)
        state.put(b)
        #expect(state.reset(of: Self.user) == b)
        #expect(state.reset(token: b.tokenHash!) == b)
        #expect(state.reset(token: a.tokenHash!) == nil, "the replaced link finds nothing")
        var unsent = b
        unsent.tokenHash = nil
        state.put(unsent)
        #expect(state.reset(token: b.tokenHash!) == nil)
        state.removeReset(of: Self.user)
        #expect(state.reset(of: Self.user) == nil)
    }

    @Test func resetRowsRoundTripWithAndWithoutALink() throws {
        for reset in [Self.reset(ttl: 3600), PasswordReset(userID: Self.user, requestedAt: Self.t0, expiresAt: Self.t0.adding(seconds: 60))] {
            guard case let .put(_, key, value) = reset.put else {
                Issue.record("expected a put")
                return
            }
            #expect(key == Self.user.bytes)
            let decoded = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try PasswordReset(key: k, row: v) } }
            #expect(decoded == reset)
        }
    }
}
