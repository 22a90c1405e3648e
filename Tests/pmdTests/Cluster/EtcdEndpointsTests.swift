import Testing

@testable import pmd

@Suite struct EtcdEndpointsTests {
    @Test func callsTryEachEndpointOnceFromThePreferredOneInListedOrder() {
        var endpoints = EtcdEndpoints(["http://a:2379", "http://b:2379", "http://c:2379"])
        #expect(endpoints.order == [0, 1, 2])
        endpoints.answered(1)
        #expect(endpoints.order == [1, 2, 0])
        endpoints.answered(2)
        #expect(endpoints.order == [2, 0, 1])
    }

    @Test func trailingSlashIsDropped() {
        #expect(EtcdEndpoints(["http://a:2379/", "http://b:2379"]).urls == ["http://a:2379", "http://b:2379"])
    }

    @Test func eachAttemptGetsItsShareOfWhatIsLeft() {
        #expect(EtcdEndpoints.attemptBudget(remaining: .seconds(3), attemptsLeft: 3) == .seconds(1))
        #expect(EtcdEndpoints.attemptBudget(remaining: .milliseconds(900), attemptsLeft: 1) == .milliseconds(900))
        #expect(EtcdEndpoints.attemptBudget(remaining: .seconds(1), attemptsLeft: 0) == .seconds(1))
    }
}
