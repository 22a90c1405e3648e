import Persistence

/// What applying Stripe's word about a tenant's subscriptions did.
public enum SubscriptionApply: Sendable, Equatable {
    /// A record was appended at this LSN (changed rows and/or the processed event's row).
    case written(LSN, changed: Int)
    /// Nothing to write; the answer may still reflect state up to this LSN.
    case unchanged(fence: LSN)
    /// An event's payload could not be ordered against the stored state; nothing was written.
    case ambiguous
}

/// The tenant's billing state: its Stripe customer and subscriptions, owned by its actor like
/// the rest of its rows, and changed only through `commit` (one record per request).
extension TenantActor {
    public var stripeCustomer: BillingCustomer? { state.customer }

    public var stripeSubscriptionIDs: [String] { state.subscriptions.map(\.stripeID) }

    /// Each known subscription's `asOf`. Taken before a read from Stripe starts, it tells how
    /// current that read is at least: it reflects everything pmd had applied before it began,
    /// even when Stripe's clock (events' `created`) runs ahead of pmd's.
    public var subscriptionVersions: [String: Int64] {
        Dictionary(state.subscriptions.map { ($0.stripeID, $0.asOf) }, uniquingKeysWith: max)
    }

    /// Records the tenant's Stripe customer, unless it already has one: the first recorded
    /// customer is the tenant's for good, which is what makes a retried or concurrent
    /// creation harmless.
    public func recordCustomer(_ stripeID: String, now: Timestamp = .now()) throws(DomainError) -> (customer: BillingCustomer, lsn: LSN) {
        if let existing = state.customer { return (existing, lastLSN) }
        let customer = BillingCustomer(tenantID: id, stripeID: stripeID, createdAt: now)
        return (customer, try commit("billing.customer_created", [.customer(customer)], at: now))
    }

    /// `billing.subscription`: any member may read it (SPEC §6.4).
    public func subscription(_ caller: Caller) throws(DomainError) -> Outcome<Subscription?> {
        _ = try state.authorize(caller.userID, .readSubscription)
        return read(SubscriptionRules.current(state.subscriptions), for: caller)
    }

    /// Applies snapshots of this tenant's subscriptions (one from an event, or all of them from
    /// a reconciliation) by `SubscriptionRules`, in one record together with `extraOps` (the
    /// processed event's row, so de-duplication is exactly as durable as the change).
    public func applySubscriptions(
        _ snapshots: [(snapshot: SubscriptionSnapshot, planID: ID?, source: SubscriptionSource)], kind: String,
        extraOps: [WALOp] = [], now: Timestamp = .now()
    ) throws(DomainError) -> SubscriptionApply {
        var changes: [TenantChange] = []
        for (snapshot, planID, source) in snapshots {
            let current = state.subscriptions.first { $0.stripeID == snapshot.stripeID }
            switch SubscriptionRules.decide(
                current: current, snapshot: snapshot, source: source, tenantID: id, planID: planID, now: now)
            {
            case let .apply(row): changes.append(.subscription(row))
            case .ambiguous: return .ambiguous
            case .unchanged, .stale: continue
            }
        }
        if changes.isEmpty && extraOps.isEmpty { return .unchanged(fence: lastLSN) }
        let lsn = try journal.append(kind, at: now, changes.map(\.op) + extraOps)
        for change in changes { state.apply(change) }
        lastLSN = lsn
        return .written(lsn, changed: changes.count)
    }
}
