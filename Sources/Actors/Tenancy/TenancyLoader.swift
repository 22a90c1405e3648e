import Persistence

/// Rebuilds every tenant's state and the directory's indexes from the tenancy tables at start.
public enum TenancyLoader {
    public static func load(from store: Store, journal: Journal) throws -> Directory {
        var states: [ID: TenantState] = [:]
        try store.scan(Tables.tenants) { key, row in
            let tenant = try Tenant(key: key, row: row)
            states[tenant.id] = TenantState(tenant: tenant)
        }
        var workspaceNames: Set<String> = []
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
        try store.scan(Tables.invitations) { key, row in
            let invitation = try Invitation(key: key, row: row)
            guard states[invitation.tenantID] != nil else { return }
            states[invitation.tenantID]?.apply(.invitation(invitation))
            tokens[invitation.tokenHash] = (invitation.tenantID, invitation.id)
        }
        let actors = states.values.map { TenantActor(state: $0, journal: journal) }
        return Directory(tenants: actors, workspaceNames: workspaceNames, invitationTokens: tokens)
    }
}
