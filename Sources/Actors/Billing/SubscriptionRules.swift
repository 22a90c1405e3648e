/// What to do with a subscription snapshot, given what pmd already has.
public enum SubscriptionDecision: Sendable, Equatable {
    /// Store this row.
    case apply(Subscription)
    /// Nothing new: the same state, already known.
    case unchanged
    /// Older than what pmd has: ignore it.
    case stale
    /// An event from the same second as the stored state, saying something different. Stripe's
    /// `created` has one-second resolution and events arrive in any order, so the payload
    /// cannot be ordered against the stored state; the subscription must be re-read from Stripe.
    case ambiguous
}

/// The ordering rules of SPEC §6.5 ("never let an older event overwrite newer state"), as pure
/// functions over values.
///
/// Every stored subscription carries `asOf`, the Stripe time its state was current. An event's
/// state is current at its `created`; a state read from the API is current at the moment the
/// read started. Then:
/// 1. A terminal status (`canceled`, `incomplete_expired`) is final: nothing revives it, and an
///    event that reaches it is applied whatever its time (Stripe never un-cancels).
/// 2. An event newer than `asOf` is applied (advancing `asOf` even if nothing else changed), an
///    older one ignored.
/// 3. An event from the very same second that says something different is `ambiguous`: the
///    caller re-reads the subscription from Stripe instead of guessing.
/// 4. A read from the API wins over anything not newer than the moment it started (it reflects
///    every event Stripe had created by then — and every state pmd had stored before it began,
///    so callers stamp it with the later of the two, which keeps a Stripe clock running ahead of
///    pmd's from making fresh reads look old), and it advances `asOf` even when nothing else
///    changed, so that a late event the read has already superseded is recognised as stale.
public enum SubscriptionRules {
    public static let terminalStatuses: Set<String> = ["canceled", "incomplete_expired"]

    public static func decide(
        current: Subscription?, snapshot: SubscriptionSnapshot, source: SubscriptionSource, tenantID: ID, planID: ID?,
        now: Timestamp
    ) -> SubscriptionDecision {
        let incoming = Subscription(
            id: current?.id ?? .random(), tenantID: tenantID, stripeID: snapshot.stripeID, customerID: snapshot.customerID,
            status: snapshot.status, priceID: snapshot.priceID, planID: planID,
            currentPeriodStart: snapshot.periodStart.map { Timestamp(milliseconds: $0 * 1000) },
            currentPeriodEnd: snapshot.periodEnd.map { Timestamp(milliseconds: $0 * 1000) },
            cancelAtPeriodEnd: snapshot.cancelAtPeriodEnd, stripeCreated: snapshot.created,
            asOf: max(current?.asOf ?? 0, source.time), updatedAt: now)
        guard let current else { return .apply(incoming) }
        if current.isTerminal && !incoming.isTerminal { return .stale }
        let same = sameState(current, incoming)
        switch source {
        case .event(let created):
            if incoming.isTerminal && !current.isTerminal { return .apply(incoming) }
            // Newer is stored even when it says the same: the advanced `asOf` is what makes a
            // later-arriving older event (with different content) recognisably stale.
            if created > current.asOf { return .apply(incoming) }
            if same { return .unchanged }
            if created < current.asOf { return .stale }
            return .ambiguous
        case .fetched(let at):
            if at < current.asOf { return .stale }
            if same && at == current.asOf { return .unchanged }
            return .apply(incoming)
        }
    }

    /// Whether two rows describe the same subscription state (ignoring pmd's bookkeeping).
    static func sameState(_ a: Subscription, _ b: Subscription) -> Bool {
        a.customerID == b.customerID && a.status == b.status && a.priceID == b.priceID && a.planID == b.planID
            && a.currentPeriodStart == b.currentPeriodStart && a.currentPeriodEnd == b.currentPeriodEnd
            && a.cancelAtPeriodEnd == b.cancelAtPeriodEnd && a.stripeCreated == b.stripeCreated
    }

    /// The subscription `billing.subscription` shows when a tenant has several (a second
    /// checkout, an old canceled one): the most alive, then the newest.
    public static func current(_ subscriptions: [Subscription]) -> Subscription? {
        subscriptions.max { (liveness($0), $0.stripeCreated, $0.stripeID) < (liveness($1), $1.stripeCreated, $1.stripeID) }
    }

    static func liveness(_ subscription: Subscription) -> Int {
        switch subscription.status {
        case "active", "trialing", "past_due": 2
        case _ where subscription.isTerminal: 0
        default: 1
        }
    }
}
