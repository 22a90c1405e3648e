import Testing
@testable import Actors

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFromTheBaseUpToTheCap() {
        let backoff = Backoff.mail
        let nominal = (1...12).map { backoff.delay(afterFailures: $0, jitter: 1) }
        #expect(nominal == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map { Duration.seconds($0) })
    }

    @Test func jitterScalesBetweenHalfAndTheWholeDelay() {
        let backoff = Backoff.mail
        #expect(backoff.delay(afterFailures: 3, jitter: 0.5) == .seconds(2))
        #expect(backoff.delay(afterFailures: 3, jitter: 0.75) == .seconds(3))
        // Out-of-range jitter is clamped, so a retry is never sooner than half the delay.
        #expect(backoff.delay(afterFailures: 3, jitter: 0) == .seconds(2))
        #expect(backoff.delay(afterFailures: 3, jitter: 7) == .seconds(4))
    }

    @Test func hugeFailureCountsStayAtTheCap() {
        #expect(Backoff.mail.delay(afterFailures: 10_000, jitter: 1) == .seconds(300))
        #expect(Backoff.mail.delay(afterFailures: 0, jitter: 1) == .seconds(1))
    }
}
