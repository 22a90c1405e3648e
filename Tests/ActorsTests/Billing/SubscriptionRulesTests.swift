import Testing
@testable import Actors

/// The ordering rules of webhooks and reads from Stripe, driven on plain values.
@Suite struct SubscriptionRulesTests {
    let tenant = ID.random()
    let plan = ID.random()
    let now = Timestamp(milliseconds: 1_800_000_000_000)

    func snapshot(status: String = "active", price: String = "price_a", cancel: Bool = false) -> SubscriptionSnapshot {
        SubscriptionSnapshot(
            stripeID: "sub_1", customerID: "cus_1", status: status, priceID: price, periodStart: 1_800_000_000,
            periodEnd: 1_802_592_000, cancelAtPeriodEnd: cancel, created: 1_799_999_000)
    }

    func decide(_ current: Subscription?, _ snapshot: SubscriptionSnapshot, _ source: SubscriptionSource) -> SubscriptionDecision {
        SubscriptionRules.decide(current: current, snapshot: snapshot, source: source, tenantID: tenant, planID: plan, now: now)
    }

    /// The row stored for `snapshot` from `source` on top of nothing.
    func stored(_ snapshot: SubscriptionSnapshot, _ source: SubscriptionSource) -> Subscription {
        guard case let .apply(row) = decide(nil, snapshot, source) else { fatalError("expected apply") }
        return row
    }

    @Test func theFirstWordAboutASubscriptionIsStored() {
        let row = stored(snapshot(), .event(created: 100))
        #expect(row.status == "active" && row.planID == plan && row.asOf == 100)
        #expect(row.currentPeriodStart == Timestamp(milliseconds: 1_800_000_000_000))
        #expect(row.tenantID == tenant && row.stripeID == "sub_1")
    }

    @Test func aNewerEventIsAppliedAndKeepsThePmdID() {
        let current = stored(snapshot(), .event(created: 100))
        guard case let .apply(row) = decide(current, snapshot(cancel: true), .event(created: 101)) else {
            Issue.record("expected apply")
            return
        }
        #expect(row.cancelAtPeriodEnd && row.asOf == 101 && row.id == current.id)
    }

    @Test func anOlderEventIsStale() {
        let current = stored(snapshot(price: "price_b"), .event(created: 120))
        #expect(decide(current, snapshot(cancel: true), .event(created: 110)) == .stale)
    }

    @Test func aNewerEventSayingTheSameStillAdvancesAsOf() {
        // A(100) then C(120) with A's content: B(110), which C undid, must then be stale.
        let a = stored(snapshot(), .event(created: 100))
        guard case let .apply(c) = decide(a, snapshot(), .event(created: 120)) else {
            Issue.record("expected apply")
            return
        }
        #expect(c.asOf == 120)
        #expect(decide(c, snapshot(cancel: true), .event(created: 110)) == .stale)
    }

    @Test func aRepeatOfTheStoredStateIsUnchanged() {
        let current = stored(snapshot(), .event(created: 100))
        #expect(decide(current, snapshot(), .event(created: 100)) == .unchanged)
        #expect(decide(current, snapshot(), .event(created: 90)) == .unchanged)
    }

    @Test func aDifferentStateFromTheSameSecondIsAmbiguous() {
        let current = stored(snapshot(), .event(created: 100))
        #expect(decide(current, snapshot(price: "price_b"), .event(created: 100)) == .ambiguous)
    }

    @Test func cancellationIsFinal() {
        let live = stored(snapshot(), .event(created: 200))
        // A deletion applies even if stamped earlier than what is stored...
        guard case let .apply(canceled) = decide(live, snapshot(status: "canceled"), .event(created: 150)) else {
            Issue.record("expected apply")
            return
        }
        #expect(canceled.status == "canceled")
        // ...and nothing revives it, neither a later event nor a read.
        #expect(decide(canceled, snapshot(), .event(created: 300)) == .stale)
        #expect(decide(canceled, snapshot(), .fetched(at: 300)) == .stale)
    }

    @Test func aReadWinsOverWhatIsNotNewerThanItsStart() {
        let current = stored(snapshot(), .event(created: 100))
        guard case let .apply(row) = decide(current, snapshot(price: "price_b"), .fetched(at: 100)) else {
            Issue.record("expected apply")
            return
        }
        #expect(row.priceID == "price_b")
        #expect(decide(current, snapshot(price: "price_b"), .fetched(at: 99)) == .stale)
    }

    @Test func aReadAdvancesAsOfEvenWhenNothingChanged() {
        let current = stored(snapshot(), .event(created: 100))
        guard case let .apply(row) = decide(current, snapshot(), .fetched(at: 150)) else {
            Issue.record("expected apply")
            return
        }
        #expect(row.asOf == 150)
        #expect(decide(row, snapshot(), .fetched(at: 150)) == .unchanged)
        #expect(decide(row, snapshot(cancel: true), .event(created: 140)) == .stale)
    }

    @Test func theShownSubscriptionIsTheMostAliveThenTheNewest() {
        func row(_ id: String, _ status: String, created: Int64) -> Subscription {
            Subscription(
                id: .random(), tenantID: tenant, stripeID: id, customerID: "cus_1", status: status, priceID: nil, planID: nil,
                currentPeriodStart: nil, currentPeriodEnd: nil, cancelAtPeriodEnd: false, stripeCreated: created, asOf: 1,
                updatedAt: now)
        }
        let old = row("sub_old", "active", created: 1)
        let canceled = row("sub_new", "canceled", created: 9)
        let incomplete = row("sub_inc", "incomplete", created: 10)
        #expect(SubscriptionRules.current([canceled, old, incomplete])?.stripeID == "sub_old")
        #expect(SubscriptionRules.current([canceled, incomplete])?.stripeID == "sub_inc")
        #expect(SubscriptionRules.current([canceled, row("sub_older", "canceled", created: 2)])?.stripeID == "sub_new")
        #expect(SubscriptionRules.current([]) == nil)
    }
}
