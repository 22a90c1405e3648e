import Foundation

/// A webhook event, reduced to what pmd acts on (SPEC §6.5).
public struct StripeEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `customer.subscription.created|updated|deleted`; `deleted` makes the status `canceled`.
        case subscription(SubscriptionSnapshot)
        /// `checkout.session.completed` for a subscription: pmd reads the subscription it
        /// created from Stripe. `tenantID` is the session's metadata (or client reference).
        case checkoutCompleted(subscriptionID: String, customerID: String?, tenantID: String?)
        /// Any other type, or a checkout that is not a subscription's: acknowledged, ignored.
        case ignored
    }

    public let id: String
    public let type: String
    /// Unix seconds.
    public let created: Int64
    public let kind: Kind

    public static let subscriptionTypes: Set<String> = [
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    ]

    /// Parses a webhook body. Throws a message for the 400 answer when the body is not a Stripe
    /// event, or when an event pmd handles lacks what handling it needs.
    public static func parse(_ payload: [UInt8]) throws(DomainError) -> StripeEvent {
        struct Head: Decodable {
            let id: String
            let type: String
            let created: Int64
        }
        struct Body<Object: Decodable>: Decodable {
            struct Inner: Decodable { let object: Object }
            let data: Inner
        }
        let data = Data(payload)
        let decoder = JSONDecoder()
        guard let head = try? decoder.decode(Head.self, from: data), !head.id.isEmpty else {
            throw .badRequest("Malformed Stripe event")
        }
        let kind: Kind
        if subscriptionTypes.contains(head.type) {
            guard let body = try? decoder.decode(Body<StripeObjects.Subscription>.self, from: data) else {
                throw .badRequest("Malformed Stripe event: no subscription in \(head.type)")
            }
            var snapshot = body.data.object.snapshot
            if head.type == "customer.subscription.deleted" { snapshot.status = "canceled" }
            kind = .subscription(snapshot)
        } else if head.type == "checkout.session.completed" {
            guard let body = try? decoder.decode(Body<StripeObjects.CheckoutSession>.self, from: data) else {
                throw .badRequest("Malformed Stripe event: no checkout session in \(head.type)")
            }
            let session = body.data.object
            if let subscription = session.subscription, session.mode == nil || session.mode == "subscription" {
                kind = .checkoutCompleted(
                    subscriptionID: subscription.id, customerID: session.customer?.id,
                    tenantID: session.metadata?.values["tenantId"] ?? session.clientReferenceID)
            } else {
                kind = .ignored
            }
        } else {
            kind = .ignored
        }
        return StripeEvent(id: head.id, type: head.type, created: head.created, kind: kind)
    }
}
