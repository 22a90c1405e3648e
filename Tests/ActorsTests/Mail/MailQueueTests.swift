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
        let delay = queue.failed(a.id, .relay, now: t0, jitter: 1)
        #expect(delay == .seconds(1))
        #expect(queue.nextDue(at: t0 + .milliseconds(999)) == nil)
        #expect(queue.nextWake == t0 + .seconds(1))
        // When the relay's wait is over, the oldest message goes first again.
        #expect(queue.nextDue(at: t0 + .seconds(1)) == a)
        #expect(queue.failed(a.id, .relay, now: t0 + .seconds(1), jitter: 1) == .seconds(2))
        #expect(queue.count == 2, "nothing is dropped")
    }

    @Test func aMessageFailureHoldsOnlyThatMessage() {
        var queue = MailQueue()
        queue.add(a, now: t0)
        queue.add(b, now: t0)
        #expect(queue.failed(a.id, .message, now: t0, jitter: 1) == .seconds(1))
        #expect(queue.nextDue(at: t0) == b)
        queue.delivered(b.id)
        #expect(queue.nextDue(at: t0) == nil)
        #expect(queue.nextWake == t0 + .seconds(1))
        #expect(queue.failed(a.id, .message, now: t0 + .seconds(1), jitter: 1) == .seconds(2))
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
