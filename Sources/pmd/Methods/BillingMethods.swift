import Actors
import Protocol

/// `plans.list` and `billing.*` (SPEC §6.5). Roles are enforced by the tenant actor; Stripe is
/// only ever called by the Stripe sync actor behind `Billing`.
enum BillingMethods {
    static func methods(billing: Billing) -> [MethodSpec] {
        [
            MethodSpec("plans.list", summary: "Active plans in catalog order (public)") { _ throws(RPCError) in
                RPCResult(Views.list("plans", billing.plans.active.map(Views.plan)))
            },
            MethodSpec("billing.subscription", summary: "The active tenant's subscription, or null", access: .tenant) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await billing.subscription(call.session!) }
                return RPCResult(["subscription": Views.subscription(outcome.value)], fence: outcome.fence)
            },
            MethodSpec(
                "billing.checkout", summary: "Start a Stripe Checkout for a plan (owner); returns the session id and URL", access: .tenant,
                params: [
                    ParamSpec("planId", .string, required: true, summary: "A plan id from plans.list"),
                    ParamSpec("priceId", .string, required: true, summary: "The plan's monthly or yearly Stripe price id"),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await billing.checkout(call.session!, planID: call.params.string("planId")!, priceID: call.params.string("priceId")!)
                }
                return RPCResult(["sessionId": .string(outcome.value.sessionID), "url": .string(outcome.value.url)], fence: outcome.fence)
            },
            MethodSpec("billing.portal", summary: "A Stripe Billing Portal URL for the active tenant (owner)", access: .tenant) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await billing.portal(call.session!) }
                return RPCResult(["url": .string(outcome.value)], fence: outcome.fence)
            },
            MethodSpec(
                "billing.reconcile", summary: "Re-read the tenant's subscriptions from Stripe and repair drift (owner)", access: .tenant
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await billing.reconcile(call.session!) }
                return RPCResult(["subscription": Views.subscription(outcome.value)], fence: outcome.fence)
            },
            MethodSpec(
                "billing.webhook", summary: "Handle a Stripe webhook received by an app server (same as POST /api/webhooks/stripe)",
                params: [
                    ParamSpec("payload", .string, required: true, summary: "The raw request body, exactly as received"),
                    ParamSpec("signature", .string, required: true, summary: "The Stripe-Signature header"),
                ]
            ) { call throws(RPCError) in
                let fence = try await domain { () async throws(DomainError) in
                    try await billing.webhook(payload: Array(call.params.string("payload")!.utf8), signature: call.params.string("signature")!)
                }
                return RPCResult(["received": true], fence: fence)
            },
        ]
    }
}
