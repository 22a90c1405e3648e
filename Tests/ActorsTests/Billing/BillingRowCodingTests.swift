import Persistence
import Testing
@testable import Actors

/// Billing rows survive their binary encoding, so recovery rebuilds exactly what was written.
@Suite struct BillingRowCodingTests {
    let now = Timestamp(milliseconds: 1_800_000_000_123)

    @Test func planRoundTrips() throws {
        let plan = Plan(
            id: .random(), position: 2,
            definition: PlanDefinition(
                name: "Pro", priceMonthly: "299.00", priceYearly: nil, stripePriceIDMonthly: "price_m", stripePriceIDYearly: nil,
                features: [.init("domains", .int(-1)), .init("support", .string("email")), .init("api", .bool(true))], active: false),
            createdAt: now, updatedAt: now.adding(seconds: 5))
        #expect(try plan.id.bytes.withUnsafeBytes { k in try plan.encoded().withUnsafeBytes { try Plan(key: k, row: $0) } } == plan)
    }

    @Test func subscriptionRoundTrips() throws {
        for period in [Timestamp?.none, now] {
            let subscription = Subscription(
                id: .random(), tenantID: .random(), stripeID: "sub_123", customerID: "cus_1", status: "active", priceID: "price_1",
                planID: period == nil ? nil : .random(), currentPeriodStart: period, currentPeriodEnd: period?.adding(seconds: 9),
                cancelAtPeriodEnd: true, stripeCreated: 1_799_000_000, asOf: 1_800_000_000, updatedAt: now)
            let key = Subscription.key(tenant: subscription.tenantID, stripeID: subscription.stripeID)
            #expect(try key.withUnsafeBytes { k in try subscription.encoded().withUnsafeBytes { try Subscription(key: k, row: $0) } } == subscription)
        }
    }

    @Test func customerAndProcessedEventRoundTrip() throws {
        let customer = BillingCustomer(tenantID: .random(), stripeID: "cus_9", createdAt: now)
        #expect(try customer.tenantID.bytes.withUnsafeBytes { k in try customer.encoded().withUnsafeBytes { try BillingCustomer(key: k, row: $0) } } == customer)
        let event = ProcessedEvent(eventID: "evt_1", created: 1_800_000_000)
        #expect(try Array("evt_1".utf8).withUnsafeBytes { k in try event.encoded().withUnsafeBytes { try ProcessedEvent(key: k, row: $0) } } == event)
    }
}
