import Persistence

/// Webhook handling (SPEC §6.5), shared by `POST /api/webhooks/stripe` and `billing.webhook`.
extension StripeSync {
    /// Verifies, parses and handles one webhook delivery. Returns the LSN that must be durable
    /// before Stripe is told "received" (0 when nothing was written): Stripe redelivers what
    /// was not acknowledged, so an acknowledgement must never outrun the disk.
    public func webhook(payload: [UInt8], signature: String, now: Timestamp = .now()) async throws(DomainError) -> LSN {
        let verdict = StripeSignature.verify(
            header: signature, payload: payload, secret: webhookSecret, now: Int(now.unixSeconds))
        guard verdict.isValid else {
            logger.notice("Stripe webhook rejected", metadata: ["verdict": "\(verdict)"])
            throw .badRequest(Self.message(for: verdict))
        }
        let event = try StripeEvent.parse(payload)
        if case .ignored = event.kind { return 0 }
        if let lsn = await index.handled(event.id) { return lsn }
        if let running = eventsInFlight[event.id] { return try await join(running) }
        let task = Task { () async throws -> LSN in try await self.handle(event) }
        eventsInFlight[event.id] = task
        let result = await task.result
        eventsInFlight[event.id] = nil
        switch result {
        case let .success(lsn): return lsn
        case .failure: return try await join(task)
        }
    }

    static func message(for verdict: StripeSignature.Verdict) -> String {
        switch verdict {
        case .timestampOutsideTolerance: "Stripe signature timestamp is outside the tolerance"
        case .noMatchingSignature: "Invalid Stripe signature"
        case .valid, .missingTimestamp, .noSignatures, .malformed: "Malformed Stripe-Signature header"
        }
    }

    private func handle(_ event: StripeEvent) async throws(DomainError) -> LSN {
        let processed = ProcessedEvent(eventID: event.id, created: event.created)
        let kind = "stripe.\(event.type)"
        switch event.kind {
        case .ignored:
            return 0
        case let .subscription(snapshot):
            guard let tenant = await owner(customer: snapshot.customerID, subscription: snapshot.stripeID) else {
                logger.notice(
                    "Stripe event for a customer of no tenant; ignored",
                    metadata: ["event": "\(event.id)", "customer": "\(snapshot.customerID)"])
                return try await index.recordHandled(processed)
            }
            var outcome = try await tenant.applySubscriptions(
                [(snapshot, planID(for: snapshot), .event(created: event.created))], kind: kind, extraOps: [processed.put])
            if outcome == .ambiguous {
                // The read starts after the stored state (stamped `event.created`) was applied,
                // so it is at least that current, whatever pmd's own clock says.
                let (fetched, started) = try await fetchSubscription(snapshot.stripeID)
                outcome = try await tenant.applySubscriptions(
                    [(fetched, planID(for: fetched), .fetched(at: max(started, event.created)))], kind: kind,
                    extraOps: [processed.put])
            }
            return try await finish(outcome, processed, tenant: tenant, subscription: snapshot.stripeID)
        case let .checkoutCompleted(subscriptionID, customerID, tenantID):
            // The session names the tenant in its metadata; it is believed only when that
            // tenant's recorded customer is the session's.
            var tenant: TenantActor?
            if let customerID { tenant = await owner(customer: customerID, subscription: subscriptionID) }
            if tenant == nil, let candidate = tenantID.flatMap(ID.init).flatMap(directory.tenant),
                let recorded = await candidate.stripeCustomer, recorded.stripeID == customerID
            {
                tenant = candidate
            }
            guard let tenant else {
                logger.notice("Checkout completed for no known tenant; ignored", metadata: ["event": "\(event.id)"])
                return try await index.recordHandled(processed)
            }
            let known = await tenant.subscriptionVersions[subscriptionID] ?? 0
            let (fetched, started) = try await fetchSubscription(subscriptionID)
            guard await tenant.stripeCustomer?.stripeID == fetched.customerID else {
                logger.warning("Checkout subscription belongs to another customer; ignored", metadata: ["event": "\(event.id)"])
                return try await index.recordHandled(processed)
            }
            let outcome = try await tenant.applySubscriptions(
                [(fetched, planID(for: fetched), .fetched(at: max(started, known)))], kind: kind, extraOps: [processed.put])
            return try await finish(outcome, processed, tenant: tenant, subscription: subscriptionID)
        }
    }

    /// The tenant a Stripe customer (or, failing that, a known subscription) belongs to.
    func owner(customer: String, subscription: String) async -> TenantActor? {
        if let id = await index.tenant(customer: customer), let tenant = directory.tenant(id) { return tenant }
        if let id = await index.tenant(subscription: subscription), let tenant = directory.tenant(id) { return tenant }
        return nil
    }

    private func finish(_ outcome: SubscriptionApply, _ event: ProcessedEvent, tenant: TenantActor, subscription: String) async throws(DomainError) -> LSN {
        switch outcome {
        case let .written(lsn, _):
            await index.markHandled(event, lsn: lsn)
            await index.register(subscription: subscription, tenant: tenant.id)
            return lsn
        case let .unchanged(fence):
            return fence
        case .ambiguous:
            // A read from Stripe is never ambiguous; reaching this is a bug in the rules.
            logger.error("subscription state stayed ambiguous after a read from Stripe", metadata: ["event": "\(event.eventID)"])
            throw .internalError
        }
    }
}
