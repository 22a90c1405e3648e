import Foundation

/// The parts of Stripe's JSON objects pmd reads. Fields are optional wherever Stripe's shape
/// varies across API versions (the period moved from the subscription to its items) or where
/// an older object may lack them, so parsing fails only for what pmd cannot do without.
enum StripeObjects {
    /// An id that Stripe sends either as a string or, when expanded, as an object with `id`.
    struct Ref: Decodable, Equatable {
        let id: String

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                id = text
            } else {
                struct Expanded: Decodable { let id: String }
                id = try Expanded(from: decoder).id
            }
        }
    }

    /// Metadata values are strings at Stripe; anything else is read as absent.
    struct Metadata: Decodable {
        let values: [String: String]

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            values = (try? container.decode([String: String].self)) ?? [:]
        }
    }

    struct Customer: Decodable { let id: String }

    struct Subscription: Decodable {
        let id: String
        let customer: Ref
        let status: String
        let created: Int64?
        let cancelAtPeriodEnd: Bool?
        let currentPeriodStart: Int64?
        let currentPeriodEnd: Int64?
        let metadata: Metadata?
        let items: Items?

        struct Items: Decodable { let data: [Item] }
        struct Item: Decodable {
            let price: Ref?
            let plan: Ref?
            let currentPeriodStart: Int64?
            let currentPeriodEnd: Int64?

            enum CodingKeys: String, CodingKey {
                case price, plan
                case currentPeriodStart = "current_period_start"
                case currentPeriodEnd = "current_period_end"
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, customer, status, created, metadata, items
            case cancelAtPeriodEnd = "cancel_at_period_end"
            case currentPeriodStart = "current_period_start"
            case currentPeriodEnd = "current_period_end"
        }

        /// What pmd keeps. The price is the first item's (`price`, or `plan` on old API
        /// versions, whose ids are the same); the period is the subscription's or, failing
        /// that, the first item's.
        var snapshot: SubscriptionSnapshot {
            let item = items?.data.first
            return SubscriptionSnapshot(
                stripeID: id, customerID: customer.id, status: status, priceID: item?.price?.id ?? item?.plan?.id,
                periodStart: currentPeriodStart ?? item?.currentPeriodStart,
                periodEnd: currentPeriodEnd ?? item?.currentPeriodEnd, cancelAtPeriodEnd: cancelAtPeriodEnd ?? false,
                created: created ?? 0, metadata: metadata?.values ?? [:])
        }
    }

    struct List<Item: Decodable>: Decodable {
        let data: [Item]
        let hasMore: Bool?

        enum CodingKeys: String, CodingKey {
            case data
            case hasMore = "has_more"
        }
    }

    struct CheckoutSession: Decodable {
        let id: String
        let url: String?
        let mode: String?
        let customer: Ref?
        let subscription: Ref?
        let clientReferenceID: String?
        let metadata: Metadata?

        enum CodingKeys: String, CodingKey {
            case id, url, mode, customer, subscription, metadata
            case clientReferenceID = "client_reference_id"
        }
    }

    struct PortalSession: Decodable { let url: String }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(StripeFailure) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .malformedResponse("unreadable \(type): \(error)")
        }
    }
}
