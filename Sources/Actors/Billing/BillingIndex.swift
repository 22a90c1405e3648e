import Persistence

/// The global indexes of billing: which tenant a Stripe customer or subscription belongs to, and
/// which Stripe events have been handled. The rows behind the first two belong to the tenant
/// actors (which append them); this actor learns of them after the append, like `Directory`
/// does of invitations. Handled events are recorded in the record that applied them, or — when
/// an event changes no tenant — in a record of this actor's own.
public actor BillingIndex {
    private var customers: [String: ID]
    private var subscriptions: [String: ID]
    /// Event id → its `created` and the LSN of the record that handled it (0 once loaded from
    /// disk), so a redelivery is answered only once that record is durable.
    private var events: [String: (created: Int64, lsn: LSN)]
    private let journal: Journal

    public init(customers: [String: ID], subscriptions: [String: ID], events: [String: Int64], journal: Journal) {
        self.customers = customers
        self.subscriptions = subscriptions
        self.events = events.mapValues { ($0, 0) }
        self.journal = journal
    }

    public func tenant(customer: String) -> ID? { customers[customer] }
    public func tenant(subscription: String) -> ID? { subscriptions[subscription] }

    public func register(customer: String, tenant: ID) { customers[customer] = tenant }
    public func register(subscription: String, tenant: ID) { subscriptions[subscription] = tenant }

    /// Every tenant with a Stripe customer, for the periodic reconciliation.
    public var tenantsWithCustomers: [ID] { Array(Set(customers.values)) }

    /// The LSN that must be durable before a redelivery of `eventID` is acknowledged, or nil
    /// when the event is new.
    public func handled(_ eventID: String) -> LSN? { events[eventID]?.lsn }

    func forgetEvent(_ id: String) { events[id] = nil }

    /// Notes an event handled by a tenant's record at `lsn`.
    public func markHandled(_ event: ProcessedEvent, lsn: LSN) { events[event.eventID] = (event.created, lsn) }

    /// Records an event that changed no tenant (its subscription is a stranger's, or it was
    /// stale for a reason decided before any tenant was involved).
    public func recordHandled(_ event: ProcessedEvent, now: Timestamp = .now()) throws(DomainError) -> LSN {
        if let known = events[event.eventID] { return known.lsn }
        let lsn = try journal.append("stripe.event_ignored", at: now, [event.put])
        events[event.eventID] = (event.created, lsn)
        return lsn
    }

    /// Forgets handled events older than the retention window, at most `limit` per call so one
    /// record stays small; returns how many were dropped.
    public func prune(now: Timestamp, limit: Int = 1000) throws(DomainError) -> Int {
        let cutoff = now.unixSeconds - ProcessedEvent.retentionSeconds
        let old = Array(events.lazy.filter { $0.value.created < cutoff }.prefix(limit))
            .map { ProcessedEvent(eventID: $0.key, created: $0.value.created) }
        guard !old.isEmpty else { return 0 }
        _ = try journal.append("stripe.events_pruned", at: now, old.map(\.delete))
        for event in old { events[event.eventID] = nil }
        return old.count
    }
}
