/// A plan's value for one feature (`domains: 5`, `support: "email"`); -1 means unlimited by
/// the catalog's convention (SPEC §6.5), which pmd passes through rather than interprets.
public enum PlanFeature: Sendable, Equatable {
    case int(Int64)
    case string(String)
    case bool(Bool)
}

/// One named feature; plans keep them in catalog order so `plans.list` is stable.
public struct PlanFeatureEntry: Sendable, Equatable {
    public var key: String
    public var value: PlanFeature

    public init(_ key: String, _ value: PlanFeature) {
        self.key = key
        self.value = value
    }
}

/// What the catalog says about a plan: everything but its id, which pmd gives it the first
/// time the name is seen and keeps from then on.
public struct PlanDefinition: Sendable, Equatable {
    public var name: String
    /// Decimal strings with two places ("99.00"); nil for a custom price.
    public var priceMonthly: String?
    public var priceYearly: String?
    public var stripePriceIDMonthly: String?
    public var stripePriceIDYearly: String?
    public var features: [PlanFeatureEntry]
    /// Inactive plans stay known (subscriptions may still be on them) but are not listed or sold.
    public var active: Bool

    public init(
        name: String, priceMonthly: String?, priceYearly: String?, stripePriceIDMonthly: String?,
        stripePriceIDYearly: String?, features: [PlanFeatureEntry], active: Bool = true
    ) {
        self.name = name
        self.priceMonthly = priceMonthly
        self.priceYearly = priceYearly
        self.stripePriceIDMonthly = stripePriceIDMonthly
        self.stripePriceIDYearly = stripePriceIDYearly
        self.features = features
        self.active = active
    }

    /// Whether `priceID` is one of this plan's Stripe prices.
    public func sells(_ priceID: String) -> Bool {
        priceID == stripePriceIDMonthly || priceID == stripePriceIDYearly
    }
}

/// The Stripe price ids of the built-in catalog (`STRIPE_PRICE_*`).
public struct BuiltInPrices: Sendable, Equatable {
    public var starterMonthly: String
    public var starterYearly: String
    public var professionalMonthly: String
    public var professionalYearly: String
    public var enterpriseMonthly: String
    public var enterpriseYearly: String

    public init(
        starterMonthly: String, starterYearly: String, professionalMonthly: String, professionalYearly: String,
        enterpriseMonthly: String, enterpriseYearly: String
    ) {
        self.starterMonthly = starterMonthly
        self.starterYearly = starterYearly
        self.professionalMonthly = professionalMonthly
        self.professionalYearly = professionalYearly
        self.enterpriseMonthly = enterpriseMonthly
        self.enterpriseYearly = enterpriseYearly
    }
}

extension PlanDefinition {
    /// The catalog used when `PMD_PLANS_FILE` is unset (SPEC §6.5), in its order. The spec
    /// names only monthly prices; the yearly display price is left null (custom) rather than
    /// invented, while the yearly Stripe price id can still be sold.
    public static func builtIn(_ prices: BuiltInPrices) -> [PlanDefinition] {
        [
            PlanDefinition(
                name: "Starter", priceMonthly: "99.00", priceYearly: nil,
                stripePriceIDMonthly: prices.starterMonthly, stripePriceIDYearly: prices.starterYearly,
                features: [
                    .init("domains", .int(1)), .init("sharedIPs", .int(1)), .init("emailsPerMonth", .int(500)),
                    .init("support", .string("community")),
                ]),
            PlanDefinition(
                name: "Professional", priceMonthly: "299.00", priceYearly: nil,
                stripePriceIDMonthly: prices.professionalMonthly, stripePriceIDYearly: prices.professionalYearly,
                features: [
                    .init("domains", .int(5)), .init("dedicatedIPs", .int(3)), .init("emailsPerMonth", .int(50_000)),
                    .init("support", .string("email")),
                ]),
            PlanDefinition(
                name: "Enterprise", priceMonthly: nil, priceYearly: nil,
                stripePriceIDMonthly: prices.enterpriseMonthly, stripePriceIDYearly: prices.enterpriseYearly,
                features: [
                    .init("domains", .int(-1)), .init("dedicatedIPs", .int(-1)), .init("emailsPerMonth", .int(-1)),
                    .init("support", .string("dedicated")),
                ]),
        ]
    }
}
