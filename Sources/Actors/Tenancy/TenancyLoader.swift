import NIOCore
import NIOPosix
import Persistence

/// Rebuilds every tenant's state, the directory's indexes and the billing indexes from the
/// tables at start.
public enum TenancyLoader {
    public struct Loaded: Sendable {
        public let directory: Directory
        public let billing: BillingIndex
        /// The tenant of every pending invitation, for a standby's `ReplicaApplier` (a deleted
        /// invitation's row names no tenant).
        public let invitationTenants: [ID: ID]
    }

    public static func load(from store: Store, journal: Journal, loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) throws -> Loaded {
        var states: [ID: TenantState] = [:]
        states.reserveCapacity(try store.count(Tables.tenants))
        try store.scan(Tables.tenants) { key, row in
            let tenant = try Tenant(key: key, row: row)
            states[tenant.id] = TenantState(tenant: tenant)
        }
        var workspaceNames: Set<String> = []
        workspaceNames.reserveCapacity(try store.count(Tables.companies))
        try store.scan(Tables.companies) { key, row in
            let company = try Company(key: key, row: row)
            workspaceNames.insert(company.workspaceName)
            states[company.tenantID]?.apply(.company(company))
        }
        try store.scan(Tables.memberships) { key, row in
            let membership = try Membership(key: key, row: row)
            states[membership.tenantID]?.apply(.member(membership))
        }
        var tokens: [TokenHash: (tenant: ID, invitation: ID)] = [:]
        var invitationTenants: [ID: ID] = [:]
        try store.scan(Tables.invitations) { key, row in
            let invitation = try Invitation(key: key, row: row)
            guard states[invitation.tenantID] != nil else { return }
            states[invitation.tenantID]?.apply(.invitation(invitation))
            invitationTenants[invitation.id] = invitation.tenantID
            if let hash = invitation.tokenHash { tokens[hash] = (invitation.tenantID, invitation.id) }
        }
        var customers: [String: ID] = [:]
        try store.scan(Tables.billingCustomers) { key, row in
            let customer = try BillingCustomer(key: key, row: row)
            guard states[customer.tenantID] != nil else { return }
            states[customer.tenantID]?.apply(.customer(customer))
            customers[customer.stripeID] = customer.tenantID
        }
        var subscriptions: [String: ID] = [:]
        try store.scan(Tables.subscriptions) { key, row in
            let subscription = try Subscription(key: key, row: row)
            guard states[subscription.tenantID] != nil else { return }
            states[subscription.tenantID]?.apply(.subscription(subscription))
            subscriptions[subscription.stripeID] = subscription.tenantID
        }
        var events: [String: Int64] = [:]
        try store.scan(Tables.stripeEvents) { key, row in
            let event = try ProcessedEvent(key: key, row: row)
            events[event.eventID] = event.created
        }
        let actors = states.values.map { TenantActor(state: $0, journal: journal, loop: loop) }
        return Loaded(
            directory: Directory(tenants: actors, workspaceNames: workspaceNames, invitationTokens: tokens),
            billing: BillingIndex(customers: customers, subscriptions: subscriptions, events: events, journal: journal),
            invitationTenants: invitationTenants)
    }
}
