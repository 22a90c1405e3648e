import Persistence

/// Customers, Checkout and the Billing Portal (SPEC §6.5).
extension StripeSync {
    /// `billing.checkout`: owner only; the plan and price are checked before anything is asked
    /// of Stripe; the tenant's customer is found or created first.
    public func checkout(tenant: TenantActor, caller: Caller, planID: String, priceID: String) async throws(DomainError) -> Outcome<CheckoutSession> {
        _ = try await tenant.authorize(caller.userID, .billingCheckout)
        let plan = try plans.checkoutPlan(planID, priceID: priceID)
        let customer = try await customer(for: tenant)
        let metadata = FormValue.object([
            ("tenantId", .string(tenant.id.description)), ("planId", .string(plan.id.description)),
            ("userId", .string(caller.userID.description)),
        ])
        let fields: [(String, FormValue)] = [
            ("mode", "subscription"),
            ("customer", .string(customer.stripeID)),
            ("client_reference_id", .string(tenant.id.description)),
            ("line_items", .array([.object([("price", .string(priceID)), ("quantity", "1")])])),
            ("metadata", metadata),
            ("subscription_data", .object([("metadata", metadata)])),
            ("success_url", .string(appURL + "/subscription/success?session_id={CHECKOUT_SESSION_ID}")),
            ("cancel_url", .string(appURL + "/subscription/cancel")),
        ]
        // A fresh key per request: two checkouts are two sessions, while the retries of one
        // request stay one.
        let session: StripeObjects.CheckoutSession
        do {
            let body = try await client.post("/v1/checkout/sessions", fields, idempotencyKey: "pmd-checkout-\(ID.random())")
            session = try StripeObjects.decode(StripeObjects.CheckoutSession.self, body)
        } catch {
            throw error.domainError
        }
        guard let url = session.url else {
            logger.error("Stripe created a Checkout Session without a URL", metadata: ["session": "\(session.id)"])
            throw .stripeUnavailable
        }
        return Outcome(CheckoutSession(sessionID: session.id, url: url), fence: caller.fence)
    }

    /// `billing.portal`: owner only; 404 until the tenant has a Stripe customer.
    public func portal(tenant: TenantActor, caller: Caller) async throws(DomainError) -> Outcome<String> {
        _ = try await tenant.authorize(caller.userID, .billingPortal)
        guard let customer = await tenant.stripeCustomer else { throw .noStripeCustomer }
        let fence = await tenant.lastLSN
        let fields: [(String, FormValue)] = [
            ("customer", .string(customer.stripeID)), ("return_url", .string(appURL + "/settings/billing")),
        ]
        do {
            let body = try await client.post("/v1/billing_portal/sessions", fields, idempotencyKey: "pmd-portal-\(ID.random())")
            return Outcome(try StripeObjects.decode(StripeObjects.PortalSession.self, body).url, fence: max(fence, caller.fence))
        } catch {
            throw error.domainError
        }
    }

    /// The tenant's Stripe customer, created on first need. One per tenant, ever:
    /// - concurrent callers share one creation (`customerCreations`);
    /// - the creation's idempotency key is derived from the tenant id, so a retry, or a repeat
    ///   after a crash between Stripe's answer and pmd's commit, gets Stripe's same customer
    ///   back instead of a second one;
    /// - the first customer recorded by the tenant actor is kept for good.
    /// Returns only once the customer is durable: a checkout must never name a customer that a
    /// crash could make pmd forget.
    func customer(for tenant: TenantActor) async throws(DomainError) -> BillingCustomer {
        if let existing = await tenant.stripeCustomer {
            try await durable(await tenant.lastLSN)
            return existing
        }
        if let running = customerCreations[tenant.id] { return try await join(running) }
        let task = Task { () async throws -> BillingCustomer in try await self.createCustomer(tenant) }
        customerCreations[tenant.id] = task
        let result = await task.result
        customerCreations[tenant.id] = nil
        switch result {
        case let .success(customer): return customer
        case .failure: return try await join(task)
        }
    }

    static func customerIdempotencyKey(_ tenant: ID) -> String { "pmd-customer-\(tenant)" }

    private func createCustomer(_ tenant: TenantActor) async throws(DomainError) -> BillingCustomer {
        let name = await tenant.tenantRow.name
        let created: StripeObjects.Customer
        do {
            let body = try await client.post(
                "/v1/customers",
                [("name", .string(name)), ("metadata", .object([("tenantId", .string(tenant.id.description))]))],
                idempotencyKey: Self.customerIdempotencyKey(tenant.id))
            created = try StripeObjects.decode(StripeObjects.Customer.self, body)
        } catch {
            throw error.domainError
        }
        let (customer, lsn) = try await tenant.recordCustomer(created.id)
        if customer.stripeID != created.id {
            logger.warning(
                "Stripe returned another customer than the one recorded; keeping the recorded one",
                metadata: ["tenantId": "\(tenant.id)", "recorded": "\(customer.stripeID)", "returned": "\(created.id)"])
        }
        await index.register(customer: customer.stripeID, tenant: tenant.id)
        try await durable(lsn)
        logger.info("Stripe customer recorded", metadata: ["tenantId": "\(tenant.id)", "customer": "\(customer.stripeID)"])
        return customer
    }
}
