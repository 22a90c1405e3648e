/// A subscription as Stripe described it — in an event's payload or in an API answer — reduced
/// to what pmd keeps. Built by `StripeObjects`; judged by `SubscriptionRules`.
public struct SubscriptionSnapshot: Sendable, Equatable {
    public var stripeID: String
    public var customerID: String
    public var status: String
    public var priceID: String?
    /// Unix seconds; Stripe puts the period on the subscription (older API versions) or on its
    /// first item (newer ones), and the parser reads either.
    public var periodStart: Int64?
    public var periodEnd: Int64?
    public var cancelAtPeriodEnd: Bool
    public var created: Int64
    public var metadata: [String: String]

    public init(
        stripeID: String, customerID: String, status: String, priceID: String?, periodStart: Int64?, periodEnd: Int64?,
        cancelAtPeriodEnd: Bool, created: Int64, metadata: [String: String] = [:]
    ) {
        self.stripeID = stripeID
        self.customerID = customerID
        self.status = status
        self.priceID = priceID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.created = created
        self.metadata = metadata
    }
}

/// Where a snapshot came from, and so how far it can be trusted to be newer than what pmd has.
public enum SubscriptionSource: Sendable, Equatable {
    /// The payload of an event Stripe created at this Unix second.
    case event(created: Int64)
    /// Read from Stripe's API: Stripe's state at least as of this Unix second (when the read
    /// started, or the `asOf` pmd had stored before it started, whichever is later).
    case fetched(at: Int64)

    public var time: Int64 {
        switch self {
        case let .event(created): created
        case let .fetched(at): at
        }
    }
}
