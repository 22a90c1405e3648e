import Persistence

/// The plans pmd knows, in catalog order. Plans only change at start (and through
/// `pmd plans seed`, which refuses to run beside a serving pmd), so the catalog is an
/// immutable value that every part of billing can read without an actor hop.
public struct PlanCatalog: Sendable, Equatable {
    /// Active plans first in catalog order, then retired ones.
    public let plans: [Plan]

    public init(plans: [Plan]) {
        self.plans = plans.sorted { ($0.isActive ? 0 : 1, $0.position, $0.name) < ($1.isActive ? 0 : 1, $1.position, $1.name) }
    }

    /// What `plans.list` shows.
    public var active: [Plan] { plans.filter(\.isActive) }

    public func plan(_ id: ID) -> Plan? { plans.first { $0.id == id } }

    /// The plan selling `priceID` (webhooks name the price, not the plan). Active plans win
    /// should a retired plan still carry the same price id.
    public func plan(forPrice priceID: String) -> Plan? { plans.first { $0.definition.sells(priceID) } }

    /// The plan a checkout is for: 404 for an unknown or retired plan, 400 when `priceID` is
    /// neither of its prices (SPEC §6.5).
    public func checkoutPlan(_ planID: String, priceID: String) throws(DomainError) -> Plan {
        guard let id = ID(planID), let plan = plan(id), plan.isActive else { throw .planNotFound }
        guard plan.definition.sells(priceID) else { throw .priceMismatch }
        return plan
    }

    /// Upserts `definitions` by name into the stored plans: a known name keeps its id, a new
    /// name gets one derived from the name (so every node of a cluster makes the same catalog
    /// before the primary has written it), and stored plans the catalog no longer names are retired (kept
    /// inactive, since subscriptions may still point at them). Returns the new catalog and
    /// the rows that changed, which is empty when nothing did — seeding twice writes nothing.
    public static func upsert(
        existing: [Plan], definitions: [PlanDefinition], now: Timestamp
    ) -> (catalog: PlanCatalog, changed: [Plan]) {
        var byName: [String: Plan] = [:]
        for plan in existing { byName[plan.name.lowercased()] = plan }
        var result: [Plan] = []
        var changed: [Plan] = []
        var named: Set<ID> = []
        for (position, definition) in definitions.enumerated() {
            if let old = byName[definition.name.lowercased()] {
                named.insert(old.id)
                var plan = old
                plan.position = position
                plan.definition = definition
                if plan != old {
                    plan.updatedAt = now
                    changed.append(plan)
                }
                result.append(plan)
            } else {
                let plan = Plan(
                    id: .derived(namespace: "pmd-plan", name: definition.name.lowercased()), position: position, definition: definition, createdAt: now, updatedAt: now)
                changed.append(plan)
                result.append(plan)
            }
        }
        for old in existing where !named.contains(old.id) {
            var plan = old
            // Its position is kept: the catalog lists retired plans after active ones anyway,
            // and moving it would make every later seed rewrite the row.
            plan.definition.active = false
            if plan != old {
                plan.updatedAt = now
                changed.append(plan)
            }
            result.append(plan)
        }
        return (PlanCatalog(plans: result), changed)
    }

    /// The WAL ops of an upsert's changed rows.
    public static func ops(_ changed: [Plan]) -> [WALOp] { changed.map(\.put) }
}
