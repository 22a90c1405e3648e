import Persistence

/// The billing methods of SPEC §6.5 as the RPC layer calls them: the caller's tenant from the
/// session, then the tenant actor (reads) or the Stripe sync actor (anything involving Stripe).
/// Without `STRIPE_SECRET_KEY` there is no sync actor, and every billing method answers 503
/// "Billing is not configured"; `plans.list` works either way.
public struct Billing: Sendable {
    public let plans: PlanCatalog
    public let sync: StripeSync?
    let tenancy: Tenancy

    public init(plans: PlanCatalog, sync: StripeSync?, tenancy: Tenancy) {
        self.plans = plans
        self.sync = sync
        self.tenancy = tenancy
    }

    /// A subscription with the plan it is on (nil when its price matches no plan).
    public typealias SubscriptionView = (subscription: Subscription, plan: Plan?)

    private func configured() throws(DomainError) -> StripeSync {
        guard let sync else { throw .billingNotConfigured }
        return sync
    }

    public func subscription(_ token: String) async throws(DomainError) -> Outcome<SubscriptionView?> {
        _ = try configured()
        let (tenant, caller) = try await tenancy.context(token)
        return view(try await tenant.subscription(caller))
    }

    public func checkout(_ token: String, planID: String, priceID: String) async throws(DomainError) -> Outcome<StripeSync.CheckoutSession> {
        let sync = try configured()
        let (tenant, caller) = try await tenancy.context(token)
        return try await sync.checkout(tenant: tenant, caller: caller, planID: planID, priceID: priceID)
    }

    public func portal(_ token: String) async throws(DomainError) -> Outcome<String> {
        let sync = try configured()
        let (tenant, caller) = try await tenancy.context(token)
        return try await sync.portal(tenant: tenant, caller: caller)
    }

    /// `billing.reconcile`: owner only; answers what `billing.subscription` would after the repair.
    public func reconcile(_ token: String) async throws(DomainError) -> Outcome<SubscriptionView?> {
        let sync = try configured()
        let (tenant, caller) = try await tenancy.context(token)
        _ = try await tenant.authorize(caller.userID, .billingReconcile)
        let repaired = try await sync.reconcile(tenant: tenant)
        var outcome = view(try await tenant.subscription(caller))
        outcome.fence = max(outcome.fence, repaired)
        return outcome
    }

    public func webhook(payload: [UInt8], signature: String) async throws(DomainError) -> LSN {
        try await configured().webhook(payload: payload, signature: signature)
    }

    private func view(_ outcome: Outcome<Subscription?>) -> Outcome<SubscriptionView?> {
        Outcome(outcome.value.map { ($0, $0.planID.flatMap(plans.plan)) }, fence: outcome.fence)
    }
}
