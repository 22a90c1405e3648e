import Persistence
import Testing
@testable import Actors

@Suite("Mail sending limits (sliding windows, clock passed in)")
struct MailQuotaTests {
    static let t0 = Timestamp(milliseconds: 1_800_000_000_000)
    static let tenant = ID(high: 5, low: 5)
    static let owner = ID(high: 6, low: 6)

    func send(_ scopes: [MailScope], at time: Timestamp, n: UInt64 = 0) -> MailSend {
        MailSend(mailID: ID(high: UInt64(time.milliseconds), low: n), sentAt: time, scopes: scopes)
    }

    func seconds(_ s: Int64) -> Timestamp { Self.t0.adding(seconds: s) }

    @Test func threeResetMailsPerAddressInAnyHour() {
        var quota = MailQuota()
        let victim: [MailScope] = [.resetsTo("ada@example.com")]
        for minute in 0..<3 {
            #expect(quota.retryAfter(victim, at: seconds(Int64(minute) * 60)) == nil)
            quota.count(send(victim, at: seconds(Int64(minute) * 60)))
        }
        // Full until the first of the three leaves the window, an hour after it was sent.
        #expect(quota.retryAfter(victim, at: seconds(180)) == 3600 - 180)
        #expect(quota.retryAfter(victim, at: seconds(3599)) == 1)
        #expect(quota.retryAfter(victim, at: seconds(3600)) == nil)
        #expect(quota.retryAfter([.resetsTo("grace@example.com")], at: seconds(180)) == nil, "other addresses are not affected")
    }

    @Test func retryAfterRoundsUpToAWholeSecond() {
        var quota = MailQuota(limits: .init(
            resetsPerAddress: .init(1, per: 10), invitationsPerAddress: .init(1, per: 10),
            invitationsPerTenant: .init(1, per: 10), invitationsPerInviter: .init(1, per: 10)))
        quota.count(send([.resetsTo("a@example.com")], at: Self.t0))
        #expect(quota.retryAfter([.resetsTo("a@example.com")], at: Timestamp(milliseconds: Self.t0.milliseconds + 9_001)) == 1)
        #expect(quota.retryAfter([.resetsTo("a@example.com")], at: Timestamp(milliseconds: Self.t0.milliseconds + 1)) == 10)
    }

    @Test func anInvitationCountsAgainstTheAddressTheTenantAndTheInviter() {
        var quota = MailQuota()
        let address: MailScope = .invitationsTo("lead@example.com")
        for i in 0..<5 {
            let other = ID(high: 9, low: UInt64(i))
            quota.count(send([address, .invitationsFrom(other), .invitationsBy(other)], at: seconds(Int64(i)), n: UInt64(i)))
        }
        #expect(quota.retryAfter([address, .invitationsFrom(Self.tenant), .invitationsBy(Self.owner)], at: seconds(10)) == 3600 - 10,
            "five tenants have invited this address: a sixth may not")
        for i in 0..<50 {
            quota.count(send(
                [.invitationsTo("lead\(i)@example.com"), .invitationsFrom(Self.tenant), .invitationsBy(ID(high: 8, low: UInt64(i)))],
                at: seconds(100 + Int64(i)), n: UInt64(i)))
        }
        #expect(quota.retryAfter([.invitationsTo("new@example.com"), .invitationsFrom(Self.tenant), .invitationsBy(Self.owner)], at: seconds(200))
            == 3600 + 100 - 200)
        #expect(quota.retryAfter([.invitationsTo("new@example.com"), .invitationsFrom(ID.random()), .invitationsBy(Self.owner)], at: seconds(200)) == nil)
    }

    @Test func whenSeveralScopesAreFullTheLastToFreeUpDecides() {
        var quota = MailQuota(limits: .init(
            resetsPerAddress: .init(1, per: 100), invitationsPerAddress: .init(1, per: 100),
            invitationsPerTenant: .init(1, per: 500), invitationsPerInviter: .init(1, per: 100)))
        quota.count(send([.invitationsTo("a@example.com")], at: Self.t0, n: 1))
        quota.count(send([.invitationsFrom(Self.tenant)], at: Self.t0, n: 2))
        #expect(quota.retryAfter([.invitationsTo("a@example.com"), .invitationsFrom(Self.tenant)], at: Self.t0) == 500)
    }

    @Test func aForgottenMailNoLongerCounts() {
        var quota = MailQuota()
        let scopes: [MailScope] = [.resetsTo("ada@example.com")]
        let sends = (0..<3).map { send(scopes, at: seconds(Int64($0)), n: UInt64($0)) }
        for s in sends { quota.count(s) }
        #expect(quota.retryAfter(scopes, at: seconds(10)) != nil)
        quota.forget(sends[1].mailID)
        #expect(quota.retryAfter(scopes, at: seconds(10)) == nil)
        #expect(quota.count == 2)
    }

    /// What a restart rebuilds from the table decides exactly as before it.
    @Test func aQuotaRebuiltFromItsRowsDecidesTheSame() throws {
        var quota = MailQuota()
        var rows: [MailSend] = []
        for i in 0..<4 {
            let s = send([.resetsTo("ada@example.com"), .invitationsBy(Self.owner)], at: seconds(Int64(i) * 7), n: UInt64(i))
            quota.count(s)
            guard case let .put(_, key, value) = s.put else { return }
            rows.append(try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try MailSend(key: k, row: v) } })
        }
        #expect(rows.map(\.scopes) == Array(repeating: [.resetsTo("ada@example.com"), .invitationsBy(Self.owner)], count: 4))
        let rebuilt = MailQuota(sends: rows.reversed())
        for at in [seconds(30), seconds(3600), seconds(3610), seconds(3630)] {
            #expect(rebuilt.retryAfter([.resetsTo("ada@example.com")], at: at) == quota.retryAfter([.resetsTo("ada@example.com")], at: at))
        }
    }

    @Test func onlyMailOlderThanEveryWindowAgesOut() {
        var quota = MailQuota()
        quota.count(send([.resetsTo("a@example.com")], at: seconds(0), n: 1))
        quota.count(send([.resetsTo("b@example.com")], at: seconds(60), n: 2))
        #expect(quota.agedOut(at: seconds(3599), limit: 10).isEmpty)
        #expect(quota.agedOut(at: seconds(3600), limit: 10).map(\.sentAt) == [seconds(0)])
        #expect(quota.agedOut(at: seconds(7200), limit: 1).map(\.sentAt) == [seconds(0)], "at most `limit`, oldest first")
    }
}
