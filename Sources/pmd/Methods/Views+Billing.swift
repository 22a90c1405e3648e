import Actors
import Protocol

extension Views {
    /// An entry of `plans.list`.
    static func plan(_ plan: Plan) -> JSON {
        let d = plan.definition
        return [
            "id": JSON(plan.id), "name": .string(d.name), "priceMonthly": JSON(d.priceMonthly), "priceYearly": JSON(d.priceYearly),
            "features": features(d.features), "stripePriceIdMonthly": JSON(d.stripePriceIDMonthly),
            "stripePriceIdYearly": JSON(d.stripePriceIDYearly),
        ]
    }

    static func features(_ entries: [PlanFeatureEntry]) -> JSON {
        .object(
            JSONObject(
                entries.map { entry in
                    let value: JSON =
                        switch entry.value {
                        case let .int(number): .number(JSONNumber(Int(number)))
                        case let .string(text): .string(text)
                        case let .bool(flag): .bool(flag)
                        }
                    return (entry.key, value)
                }))
    }

    /// `billing.subscription`'s `subscription`: null, or the subscription with its plan's name
    /// and features (null when its price matches no plan pmd knows).
    static func subscription(_ view: Billing.SubscriptionView?) -> JSON {
        guard let (subscription, plan) = view else { return .null }
        return [
            "id": JSON(subscription.id), "status": .string(subscription.status), "planId": JSON(plan?.id),
            "planName": JSON(plan?.name), "features": plan.map { features($0.definition.features) } ?? .null,
            "currentPeriodStart": subscription.currentPeriodStart.map { JSON($0) } ?? .null,
            "currentPeriodEnd": subscription.currentPeriodEnd.map { JSON($0) } ?? .null,
            "cancelAtPeriodEnd": .bool(subscription.cancelAtPeriodEnd),
        ]
    }
}
