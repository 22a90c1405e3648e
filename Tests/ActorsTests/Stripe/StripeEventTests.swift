import Testing
@testable import Actors

@Suite struct StripeEventTests {
    func parse(_ json: String) throws -> StripeEvent { try StripeEvent.parse(Array(json.utf8)) }

    @Test func aSubscriptionEventWithThePeriodOnTheSubscription() throws {
        let event = try parse("""
            {"id":"evt_1","type":"customer.subscription.updated","created":1800000100,"data":{"object":{
              "id":"sub_1","object":"subscription","customer":"cus_1","status":"past_due","created":1800000000,
              "cancel_at_period_end":true,"current_period_start":1800000000,"current_period_end":1802592000,
              "metadata":{"tenantId":"t","planId":"p"},
              "items":{"data":[{"price":{"id":"price_pro"},"plan":{"id":"price_pro"}}]}}}}
            """)
        #expect(event.id == "evt_1" && event.created == 1_800_000_100)
        #expect(event.kind == .subscription(SubscriptionSnapshot(
            stripeID: "sub_1", customerID: "cus_1", status: "past_due", priceID: "price_pro", periodStart: 1_800_000_000,
            periodEnd: 1_802_592_000, cancelAtPeriodEnd: true, created: 1_800_000_000, metadata: ["tenantId": "t", "planId": "p"])))
    }

    @Test func thePeriodMayBeOnTheFirstItemAndThePriceAnOldPlan() throws {
        let event = try parse("""
            {"id":"evt_2","type":"customer.subscription.created","created":5,"data":{"object":{
              "id":"sub_2","customer":{"id":"cus_2","object":"customer"},"status":"active",
              "items":{"data":[{"plan":{"id":"price_old"},"current_period_start":10,"current_period_end":20}]}}}}
            """)
        guard case let .subscription(snapshot) = event.kind else {
            Issue.record("expected a subscription")
            return
        }
        #expect(snapshot.customerID == "cus_2" && snapshot.priceID == "price_old")
        #expect(snapshot.periodStart == 10 && snapshot.periodEnd == 20 && !snapshot.cancelAtPeriodEnd)
    }

    @Test func aDeletedSubscriptionIsCanceled() throws {
        let event = try parse("""
            {"id":"evt_3","type":"customer.subscription.deleted","created":5,"data":{"object":{
              "id":"sub_3","customer":"cus_3","status":"active","items":{"data":[]}}}}
            """)
        guard case let .subscription(snapshot) = event.kind else {
            Issue.record("expected a subscription")
            return
        }
        #expect(snapshot.status == "canceled" && snapshot.priceID == nil)
    }

    @Test func aCompletedCheckoutNamesItsSubscriptionAndTenant() throws {
        let event = try parse("""
            {"id":"evt_4","type":"checkout.session.completed","created":5,"data":{"object":{
              "id":"cs_1","mode":"subscription","customer":"cus_4","subscription":"sub_4",
              "client_reference_id":"ref","metadata":{"tenantId":"tenant-from-metadata"}}}}
            """)
        #expect(event.kind == .checkoutCompleted(subscriptionID: "sub_4", customerID: "cus_4", tenantID: "tenant-from-metadata"))
        let payment = try parse("""
            {"id":"evt_5","type":"checkout.session.completed","created":5,"data":{"object":{"id":"cs_2","mode":"payment","subscription":null}}}
            """)
        #expect(payment.kind == .ignored)
    }

    @Test func otherTypesAreIgnoredAndBrokenBodiesRejected() throws {
        #expect(try parse(#"{"id":"evt_6","type":"invoice.paid","created":5,"data":{"object":{}}}"#).kind == .ignored)
        #expect(throws: DomainError.badRequest("Malformed Stripe event")) { try parse("[]") }
        #expect(throws: DomainError.badRequest("Malformed Stripe event")) { try parse(#"{"type":"x","created":1}"#) }
        #expect(throws: DomainError.self) {
            try parse(#"{"id":"e","type":"customer.subscription.updated","created":1,"data":{"object":{"id":"sub"}}}"#)
        }
    }
}
