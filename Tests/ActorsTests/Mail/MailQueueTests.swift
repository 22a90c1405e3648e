import Testing
@testable import Actors

@Suite("Mail queue (outbox delivery state)")
struct MailQueueTests {
    let t0 = ContinuousClock.now
    let a = MailTestSupport.entry(1)
    let b = MailTestSupport.entry(2)

    @Test func entriesAreDueAtOnceOldestFirst() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        #expect(queue.nextDue(at: t0) == a)
        queue.delivered(a.id)
        #expect(queue.nextDue(at: t0) == b)
        queue.delivered(b.id)
        #expect(queue.isEmpty)
        #expect(queue.nextWake == nil)
    }

    @Test func addingTheSameEntryTwiceKeepsOne() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(a, now: t0)
        #expect(queue.count == 1)
    }

    @Test func aRelayFailureHoldsTheWholeQueueForTheBackoff() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        #expect(queue.failed(a.id, .relay, now: t0, jitter: 1) == .retry(after: .seconds(1)))
        #expect(queue.nextDue(at: t0 + .milliseconds(999)) == nil)
        #expect(queue.nextWake == t0 + .seconds(1))
        // When the relay's wait is over, the oldest message goes first again.
        #expect(queue.nextDue(at: t0 + .seconds(1)) == a)
        #expect(queue.failed(a.id, .relay, now: t0 + .seconds(1), jitter: 1) == .retry(after: .seconds(2)))
        #expect(queue.count == 2, "nothing is dropped")
    }

    @Test func aMessageFailureHoldsOnlyThatMessage() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        #expect(queue.failed(a.id, .message, now: t0, jitter: 1) == .retry(after: .seconds(1)))
        #expect(queue.nextDue(at: t0) == b)
        queue.delivered(b.id)
        #expect(queue.nextDue(at: t0) == nil)
        #expect(queue.nextWake == t0 + .seconds(1))
        #expect(queue.failed(a.id, .message, now: t0 + .seconds(1), jitter: 1) == .retry(after: .seconds(2)))
    }

    @Test func fivePermanentRefusalsMakeADeadLetterButRelayOutagesNever() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        for _ in 0..<20 { queue.failed(b.id, .relay, now: t0, jitter: 1) }
        for n in 1..<MailQueue.deadAfter {
            #expect(queue.failed(a.id, .message, reason: "550 no such user", now: t0, jitter: 1) == .retry(after: .seconds(1 << (n - 1))))
        }
        #expect(queue.attempts(of: a.id)?.failures == MailQueue.deadAfter - 1)
        #expect(queue.attempts(of: a.id)?.lastError == "550 no such user")
        #expect(queue.failed(a.id, .message, now: t0, jitter: 1) == .deadLetter(attempts: MailQueue.deadAfter))
        #expect(queue.count == 1, "the dead letter left the queue; the other mail stays")
        #expect(queue.attempts(of: a.id) == nil)
    }

    @Test func anOperatorsRetryMakesAMailDueAtOnceWithItsBackoffForgotten() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.failed(a.id, .message, now: t0, jitter: 1)
        queue.failed(a.id, .message, now: t0, jitter: 1)
        #expect(queue.nextDue(at: t0) == nil)
        queue.retryNow(a.id, now: t0)
        #expect(queue.nextDue(at: t0) == a)
        #expect(queue.attempts(of: a.id)?.failures == 0)
    }

    @Test func nothingIsFailingWhenNothingIsWaiting() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        for _ in 0..<MailQueue.deadAfter { queue.failed(a.id, .message, now: t0, jitter: 1) }
        #expect(queue.isEmpty)
        #expect(!queue.isFailing)
    }

    @Test func statusIsFailingAfterThreeFailuresInARowUntilADelivery() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        queue.failed(a.id, .relay, now: t0, jitter: 1)
        queue.failed(a.id, .relay, now: t0, jitter: 1)
        #expect(!queue.isFailing)
        queue.failed(a.id, .message, now: t0, jitter: 1)
        #expect(queue.isFailing)
        queue.delivered(b.id)
        #expect(!queue.isFailing)
        #expect(queue.consecutiveFailures == 0)
    }
}
