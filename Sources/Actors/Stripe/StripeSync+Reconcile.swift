import Persistence

/// Reconciliation (SPEC §6.5): re-reading subscriptions from Stripe so that a missed or
/// rejected webhook heals itself.
extension StripeSync {
    /// Re-reads every subscription of the tenant's customer (which also finds ones pmd never
    /// heard of) and every subscription pmd knows for the tenant, and stores what changed in
    /// one record. Returns the fence of the tenant's billing state afterwards.
    public func reconcile(tenant: TenantActor) async throws(DomainError) -> LSN {
        guard let customer = await tenant.stripeCustomer else { return await tenant.lastLSN }
        let known = await tenant.subscriptionVersions
        let started = Timestamp.now().unixSeconds
        var snapshots: [String: SubscriptionSnapshot] = [:]
        var order: [String] = []
        func keep(_ snapshot: SubscriptionSnapshot) {
            if snapshots.updateValue(snapshot, forKey: snapshot.stripeID) == nil { order.append(snapshot.stripeID) }
        }
        do {
            var cursor: String?
            // Bounded: a tenant with more than a thousand subscriptions is not one pmd serves.
            for _ in 0..<10 {
                var query: [(String, FormValue)] = [("customer", .string(customer.stripeID)), ("status", "all"), ("limit", "100")]
                if let cursor { query.append(("starting_after", .string(cursor))) }
                let page = try StripeObjects.decode(
                    StripeObjects.List<StripeObjects.Subscription>.self, try await client.get("/v1/subscriptions", query))
                for subscription in page.data { keep(subscription.snapshot) }
                guard page.hasMore == true, let last = page.data.last?.id else { break }
                cursor = last
            }
        } catch {
            throw error.domainError
        }
        for known in await tenant.stripeSubscriptionIDs where snapshots[known] == nil {
            do {
                let body = try await client.get("/v1/subscriptions/\(FormEncoding.escape(known))")
                keep(try StripeObjects.decode(StripeObjects.Subscription.self, body).snapshot)
            } catch where error.isNotFound {
                continue
            } catch {
                throw error.domainError
            }
        }
        // Each read is current at least as of its start and as of what pmd knew before it began.
        let items = order.compactMap { snapshots[$0] }.map {
            (snapshot: $0, planID: planID(for: $0), source: SubscriptionSource.fetched(at: max(started, known[$0.stripeID] ?? 0)))
        }
        let outcome = try await tenant.applySubscriptions(items, kind: "billing.reconciled")
        for item in items { await index.register(subscription: item.snapshot.stripeID, tenant: tenant.id) }
        switch outcome {
        case let .written(lsn, changed):
            logger.info("reconciliation repaired subscriptions", metadata: ["tenantId": "\(tenant.id)", "changed": "\(changed)"])
            return lsn
        case let .unchanged(fence):
            return fence
        case .ambiguous:
            throw .internalError
        }
    }

    /// One pass over every tenant with a Stripe customer, then pruning of old event ids. Stops
    /// early when Stripe is unavailable: the next pass comes soon enough, and retrying each
    /// tenant against a dead Stripe would only hold the pass.
    public func reconcileAll() async -> (tenants: Int, failed: Int) {
        var done = 0
        var failed = 0
        for id in await index.tenantsWithCustomers {
            guard let tenant = directory.tenant(id) else { continue }
            do {
                _ = try await reconcile(tenant: tenant)
                done += 1
            } catch {
                failed += 1
                logger.warning("reconciliation failed", metadata: ["tenantId": "\(id)", "error": "\(error.message)"])
                if error == .stripeUnavailable || error == .storageUnavailable { break }
            }
        }
        do {
            let pruned = try await index.prune(now: .now())
            if pruned > 0 { logger.info("pruned old Stripe event ids", metadata: ["count": "\(pruned)"]) }
        } catch {
            logger.warning("could not prune Stripe event ids", metadata: ["error": "\(error.message)"])
        }
        return (done, failed)
    }
}
