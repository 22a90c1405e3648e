import Testing
@testable import Actors

@Suite("Login throttle")
struct LoginThrottleTests {
    static let start = Timestamp(milliseconds: 1_800_000_000_000)

    static func at(seconds: Int64) -> Timestamp { start.adding(seconds: seconds) }

    /// `count` failed attempts for `key`, one second apart from `from`.
    static func fail(_ throttle: inout LoginThrottle, _ key: String, count: Int, from: Int64 = 0) throws {
        for i in 0..<count { try throttle.begin(key, at: at(seconds: from + Int64(i))) }
    }

    @Test func fiveFailuresAreAllowedTheSixthAttemptIsRefused() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "ada@example.com", count: 5)
        #expect(throws: DomainError.self) { try throttle.begin("ada@example.com", at: Self.at(seconds: 5)) }
    }

    @Test func refusalCarriesSecondsUntilTheOldestFailureLeavesTheWindow() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "ada@example.com", count: 5)  // at 0…4 s
        do {
            try throttle.begin("ada@example.com", at: Self.at(seconds: 60))
            Issue.record("expected 429")
        } catch {
            #expect(error.code == 429)
            #expect(error.kind == "rate_limited")
            #expect(error.retryAfter == 900 - 60)
        }
    }

    @Test func retryAfterRoundsUpToWholeSeconds() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "k", count: 5)
        let almost = Timestamp(milliseconds: Self.start.milliseconds + 899_500)
        #expect(throttle.retryAfter("k", at: almost) == 1)
    }

    @Test func attemptsAreAllowedAgainOnceTheWindowHasPassed() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "k", count: 5)
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 899)) != nil)
        // The first failure (at 0 s) has left the window: one more attempt fits.
        try throttle.begin("k", at: Self.at(seconds: 900))
        // …and that one refills the window, until the failure at 1 s leaves it.
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 900)) == 1)
        try throttle.begin("k", at: Self.at(seconds: 901))
    }

    @Test func otherKeysAreUnaffected() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "victim@example.com", count: 5)
        try throttle.begin("other@example.com", at: Self.at(seconds: 5))
        #expect(throttle.retryAfter("other@example.com", at: Self.at(seconds: 5)) == nil)
    }

    @Test func successWipesTheHistory() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "k", count: 4)
        try throttle.begin("k", at: Self.at(seconds: 4))
        throttle.succeeded("k")
        try Self.fail(&throttle, "k", count: 5, from: 10)
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 15)) != nil)
    }

    @Test func anAbandonedAttemptDoesNotCount() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "k", count: 4)
        try throttle.begin("k", at: Self.at(seconds: 4))
        throttle.abandon("k", begunAt: Self.at(seconds: 4))
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 5)) == nil)
    }

    @Test func concurrentAttemptsCountBeforeTheyFinish() throws {
        // Five attempts begun and still verifying: a sixth is refused before any has failed.
        var throttle = LoginThrottle()
        for _ in 0..<5 { try throttle.begin("k", at: Self.start) }
        #expect(throws: DomainError.self) { try throttle.begin("k", at: Self.start) }
    }

    @Test func pruneForgetsFailuresOutsideTheWindow() throws {
        var throttle = LoginThrottle()
        try Self.fail(&throttle, "old", count: 2)
        try throttle.begin("recent", at: Self.at(seconds: 600))
        throttle.prune(at: Self.at(seconds: 901))
        #expect(throttle.trackedCount == 1)
        #expect(throttle.retryAfter("recent", at: Self.at(seconds: 901)) == nil)
    }

    @Test func trackedEmailsAreBounded() throws {
        var throttle = LoginThrottle(maxTracked: 3)
        for (i, key) in ["a", "b", "c", "d"].enumerated() { try throttle.begin(key, at: Self.at(seconds: Int64(i))) }
        #expect(throttle.trackedCount == 3)
    }

    @Test func aFullTableEvictsTheLeastRecentlyFailedEmail() throws {
        // One failure throttles, so whether an email is still tracked shows in `retryAfter`.
        var throttle = LoginThrottle(maxFailures: 1, maxTracked: 3)
        try throttle.begin("a", at: Self.at(seconds: 0))
        try throttle.begin("b", at: Self.at(seconds: 1))
        try throttle.begin("c", at: Self.at(seconds: 2))
        throttle.succeeded("a")
        try throttle.begin("a", at: Self.at(seconds: 3))  // a failed again: now b is the stalest
        try throttle.begin("d", at: Self.at(seconds: 4))
        #expect(throttle.trackedCount == 3)
        #expect(throttle.retryAfter("b", at: Self.at(seconds: 4)) == nil)
        for key in ["a", "c", "d"] { #expect(throttle.retryAfter(key, at: Self.at(seconds: 4)) != nil) }
        try throttle.begin("e", at: Self.at(seconds: 5))
        #expect(throttle.retryAfter("c", at: Self.at(seconds: 5)) == nil)
        #expect(throttle.retryAfter("a", at: Self.at(seconds: 5)) != nil)
    }

    @Test func memoryStaysBoundedUnderChurn() throws {
        var throttle = LoginThrottle(maxTracked: 100)
        for i in 0..<10_000 {
            let key = "user\(i % 150)@example.com"
            try? throttle.begin(key, at: Self.at(seconds: Int64(i)))
            if i % 7 == 0 { throttle.succeeded(key) }
            #expect(throttle.trackedCount <= 100)
            #expect(throttle.queuedCount <= 200)
        }
    }

    @Test func eachAttemptOnAFullTableCostsAmortisedConstantWork() throws {
        // Fill the table, then three times as many new emails again: each must evict one email
        // without looking at the whole table (which used to cost ~80 ms per attempt at 100k).
        let bound = 2_000
        var throttle = LoginThrottle(maxTracked: bound)
        for i in 0..<(4 * bound) { try throttle.begin("user\(i)@example.com", at: Self.at(seconds: Int64(i / 100))) }
        #expect(throttle.trackedCount == bound)
        #expect(throttle.entriesVisited <= 3 * 4 * bound)
    }

    @Test func aSweepWithNothingExpiredLooksAtOneEntry() throws {
        var throttle = LoginThrottle()
        for i in 0..<10_000 { try throttle.begin("user\(i)@example.com", at: Self.at(seconds: 0)) }
        let before = throttle.entriesVisited
        throttle.prune(at: Self.at(seconds: 60))
        #expect(throttle.entriesVisited - before <= 1)
        #expect(throttle.trackedCount == 10_000)
        // Once the window has passed, the sweep forgets them all.
        throttle.prune(at: Self.at(seconds: 900))
        #expect(throttle.trackedCount == 0)
    }

    @Test func aSweepKeepsAnEmailWhoseLaterFailureIsStillInTheWindow() throws {
        var throttle = LoginThrottle()
        try throttle.begin("k", at: Self.at(seconds: 0))
        try throttle.begin("other", at: Self.at(seconds: 10))
        try throttle.begin("k", at: Self.at(seconds: 600))
        throttle.prune(at: Self.at(seconds: 950))
        #expect(throttle.trackedCount == 1)
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 950)) == nil)
        try Self.fail(&throttle, "k", count: 4, from: 951)
        #expect(throttle.retryAfter("k", at: Self.at(seconds: 955)) != nil, "the failure at 600 s still counts")
    }

    @Test func overlongKeysAreThrottledAlikeButStoredByDigest() throws {
        let long = String(repeating: "x", count: 100_000) + "@example.com"
        let other = String(repeating: "x", count: 100_000) + "@example.org"
        #expect(LoginThrottle.storageKey(long).utf8.count <= LoginThrottle.maxKeyBytes)
        #expect(LoginThrottle.storageKey(long) != LoginThrottle.storageKey(other))
        #expect(LoginThrottle.storageKey("ada@example.com") == "ada@example.com")
        var throttle = LoginThrottle()
        try Self.fail(&throttle, long, count: 5)
        #expect(throws: DomainError.self) { try throttle.begin(long, at: Self.at(seconds: 5)) }
        try throttle.begin(other, at: Self.at(seconds: 5))
    }
}
