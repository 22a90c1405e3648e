import Persistence

/// The identity side of tenancy: which tenant a session acts in, and the records that change it.
/// A request that makes a tenant active (`tenants.create`, `tenants.switch`, `invites.accept`)
/// is committed here, in one record with the tenant's own rows, so the session's new tenant and
/// the membership that justifies it are durable together or not at all (SPEC §5.3).
extension Identity {
    /// The caller of a tenant-scoped method; 400 "No tenant context found" without an active
    /// tenant the user still belongs to.
    public func tenantContext(_ token: String) throws(DomainError) -> Caller {
        let (user, session) = try signedInUser(token, now: .now())
        guard let tenant = state.activeTenant(of: session) else { throw .noTenantContext }
        return Caller(userID: user.id, email: user.email, tenantID: tenant, fence: max(user.lsn, session.lsn))
    }

    /// The signed-in user and the tenants they belong to.
    public func memberships(_ token: String) throws(DomainError) -> (user: User, tenants: Set<ID>, active: ID?) {
        let (user, session) = try signedInUser(token, now: .now())
        return (user, state.tenants(of: user.id), state.activeTenant(of: session))
    }

    /// Makes `tenant` the session's active tenant and the user's last-used one, in one record
    /// with `ops` (the tenant's rows). `joining` adds the membership the ops create.
    public func enterTenant(
        _ token: String, tenant: ID, joining: Bool, kind: String, ops: [WALOp], now: Timestamp
    ) throws(DomainError) -> (user: User, lsn: LSN) {
        var (user, session) = try signedInUser(token, now: now)
        session.activeTenantID = tenant
        user.lastTenantID = tenant
        let lsn = try journal.append(kind, at: now, ops + [session.put, user.put])
        session.lsn = lsn
        user.lsn = lsn
        state.put(session)
        state.put(user)
        if joining { state.addMembership(user: user.id, tenant: tenant) }
        return (user, lsn)
    }

    /// `tenants.switch`: 404 unless the user is a member.
    public func switchTenant(_ token: String, to tenant: ID) throws(DomainError) -> Outcome<ID> {
        let now = Timestamp.now()
        let (user, _) = try signedInUser(token, now: now)
        guard state.tenants(of: user.id).contains(tenant) else { throw .tenantNotFound }
        let (_, lsn) = try enterTenant(token, tenant: tenant, joining: false, kind: "tenant.switched", ops: [], now: now)
        return Outcome(tenant, fence: lsn)
    }

    /// After `members.remove` committed: the user's sessions lose that tenant.
    public func removeMembership(user: ID, tenant: ID) { state.removeMembership(user: user, tenant: tenant) }

    public func users(_ ids: [ID]) -> [ID: User] {
        var found: [ID: User] = [:]
        for id in ids { found[id] = state.user(id) }
        return found
    }

    public func userID(email normalised: String) -> ID? { state.user(email: normalised)?.id }
}
