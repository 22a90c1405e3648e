import Persistence

extension BillingIndex {
    /// A standby's share of replicated rows (`ReplicaApplier`): which tenant each Stripe
    /// customer and subscription belongs to, and the events already handled.
    func applyReplicated(_ changes: [ReplicaPlan.BillingChange]) {
        for change in changes {
            switch change {
            case let .customer(id, tenant): register(customer: id, tenant: tenant)
            case let .subscription(id, tenant): register(subscription: id, tenant: tenant)
            case let .event(event, lsn): markHandled(event, lsn: lsn)
            case let .removeEvent(id): forgetEvent(id)
            }
        }
    }
}
