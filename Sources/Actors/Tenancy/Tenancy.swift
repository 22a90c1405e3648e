import Persistence

/// The tenancy flows that span actors (SPEC §6.3): the identity actor (sessions, users), the
/// directory (workspace names, invitation tokens) and the tenant actors. Each request still
/// becomes exactly one WAL record, appended by the actor whose existing rows it changes.
public struct Tenancy: Sendable {
    public let identity: Identity
    public let directory: Directory
    let journal: Journal
    let mailer: Mailer
    let limiter: MailLimiter
    let inviteTTLSeconds: Int64

    public init(
        identity: Identity, directory: Directory, journal: Journal, mailer: Mailer, limiter: MailLimiter, inviteTTLSeconds: Int64
    ) {
        self.identity = identity
        self.directory = directory
        self.journal = journal
        self.mailer = mailer
        self.limiter = limiter
        self.inviteTTLSeconds = inviteTTLSeconds
    }

    /// The caller's active tenant and its actor, for every tenant-scoped method.
    public func context(_ token: String) async throws(DomainError) -> (tenant: TenantActor, caller: Caller) {
        let caller = try await identity.tenantContext(token)
        guard let tenant = directory.tenant(caller.tenantID) else { throw .noTenantContext }
        return (tenant, caller)
    }

    /// `tenants.create`: tenant + first company + owner membership + the session's active
    /// tenant, in one record appended by the identity actor. The tenant's actor is installed
    /// after the append; nobody else can know its id before then.
    public func createTenant(_ token: String, tenantName: String, companyName: String) async throws(DomainError) -> Outcome<(tenant: Tenant, company: Company)> {
        // Authenticate before reserving a name, so a bad session cannot hold names hostage.
        let caller = try await identity.memberships(token).user
        let workspaceName = await directory.reserveWorkspaceName(for: companyName)
        let now = Timestamp.now()
        let tenant = Tenant(id: .random(), name: tenantName, createdAt: now, updatedAt: now)
        let company = Company(
            id: .random(), tenantID: tenant.id, name: companyName, workspaceName: workspaceName, logoURL: nil,
            status: .active, createdAt: now, updatedAt: now)
        let owner = Membership(tenantID: tenant.id, userID: caller.id, role: .owner, joinedAt: now)
        let changes: [TenantChange] = [.tenant(tenant), .company(company), .member(owner)]
        let lsn: LSN
        do {
            lsn = try await identity.enterTenant(
                token, tenant: tenant.id, joining: true, kind: "tenant.created", ops: changes.map(\.op), now: now
            ).lsn
        } catch {
            await directory.releaseWorkspaceName(workspaceName)
            throw error
        }
        var state = TenantState(tenant: tenant)
        for change in changes { state.apply(change) }
        directory.install(TenantActor(state: state, journal: journal, lastLSN: lsn, loop: identity.loop))
        return Outcome((tenant, company), fence: lsn)
    }

    /// `tenants.list`: the caller's tenants with their role, by name.
    public func listTenants(_ token: String) async throws(DomainError) -> Outcome<[(tenant: Tenant, role: Role)]> {
        let (user, tenants, _) = try await identity.memberships(token)
        var result: [(tenant: Tenant, role: Role)] = []
        var fence = user.lsn
        for id in tenants {
            guard let actor = directory.tenant(id) else { continue }
            let summary = await actor.summary(for: user.id)
            fence = max(fence, summary.fence)
            if let entry = summary.value { result.append(entry) }
        }
        result.sort { ($0.tenant.name, $0.tenant.id) < ($1.tenant.name, $1.tenant.id) }
        return Outcome(result, fence: fence)
    }

    /// `companies.create`: a further workspace; the name is reserved first, and given back if
    /// the tenant refuses (role) or the write fails.
    public func createCompany(_ token: String, name: String) async throws(DomainError) -> Outcome<Company> {
        let (tenant, caller) = try await context(token)
        _ = try await tenant.authorize(caller.userID, .manageCompanies)
        let workspaceName = await directory.reserveWorkspaceName(for: name)
        do {
            return try await tenant.createCompany(caller, name: name, workspaceName: workspaceName)
        } catch {
            await directory.releaseWorkspaceName(workspaceName)
            throw error
        }
    }

    /// `members.list`: memberships joined with the members' email and name.
    public func members(_ token: String) async throws(DomainError) -> Outcome<[(membership: Membership, user: User)]> {
        let (tenant, caller) = try await context(token)
        let members = try await tenant.members(caller)
        let users = await identity.users(members.value.map(\.userID))
        let joined = members.value.compactMap { member in users[member.userID].map { (member, $0) } }
        return Outcome(joined, fence: members.fence)
    }

    /// `members.setRole`: the changed member in the `members.list` shape.
    public func setRole(_ token: String, userID: ID, role: Role) async throws(DomainError) -> Outcome<(membership: Membership, user: User)> {
        let (tenant, caller) = try await context(token)
        let changed = try await tenant.setRole(caller, userID: userID, role: role)
        guard let user = await identity.users([userID])[userID] else { throw .memberNotFound }
        return Outcome((changed.value, user), fence: changed.fence)
    }

    /// `members.remove`; the removed user's sessions lose the tenant.
    public func removeMember(_ token: String, userID: ID) async throws(DomainError) -> Outcome<Void> {
        let (tenant, caller) = try await context(token)
        let removed = try await tenant.removeMember(caller, userID: userID)
        await identity.removeMembership(user: userID, tenant: caller.tenantID)
        return Outcome((), fence: removed.fence)
    }

    /// `invites.create`: the invitation, its mail (in the outbox, without a link) and the mail's
    /// count for the sending limits, in one record.
    public func invite(_ token: String, email: String, role: Role) async throws(DomainError) -> Outcome<Invitation> {
        let (tenant, caller) = try await context(token)
        let existing = await identity.userID(email: email)
        let outcome = try await tenant.invite(
            caller, email: email, role: role, existingUser: existing, ttlSeconds: inviteTTLSeconds, limiter: limiter)
        mailer.committed(outcome.value.mail, lsn: outcome.fence)
        if let replaced = outcome.value.replaced?.tokenHash { await directory.forgetInvitation(replaced) }
        return Outcome(outcome.value.invitation, fence: outcome.fence)
    }

    /// `invites.revoke`.
    public func revoke(_ token: String, invitationID: ID) async throws(DomainError) -> Outcome<Void> {
        let (tenant, caller) = try await context(token)
        let revoked = try await tenant.revoke(caller, invitation: invitationID)
        if let hash = revoked.value.tokenHash { await directory.forgetInvitation(hash) }
        return Outcome((), fence: revoked.fence)
    }

    /// The link of an invitation mail about to be delivered (`TenantActor.mintInvitationLink`),
    /// indexed so `invites.accept` finds it.
    public func mintInvitationLink(tenant tenantID: ID, invitation: ID) async -> MintedLink {
        guard let tenant = directory.tenant(tenantID) else { return .obsolete }
        let (link, replaced) = await tenant.mintInvitationLink(invitation)
        if case let .minted(secret, _) = link {
            if let replaced { await directory.forgetInvitation(replaced) }
            await directory.registerInvitation(TokenHash(digest: secret.hash), tenant: tenantID, invitation: invitation)
        }
        return link
    }

    /// `invites.accept`: the tenant claims the invitation (checks it and the email), the identity
    /// actor appends one record (invitation gone, membership, session's active tenant), then the
    /// tenant applies it.
    public func accept(_ token: String, invitationToken: String) async throws(DomainError) -> Outcome<(tenant: Tenant, role: Role)> {
        let (user, _, _) = try await identity.memberships(token)
        let hash = TokenHash(token: invitationToken)
        guard let found = await directory.invitation(for: hash), let tenant = directory.tenant(found.tenant) else {
            throw .invitationNotFound
        }
        let now = Timestamp.now()
        let (changes, membership) = try await tenant.claim(
            invitation: found.invitation, token: hash, user: user.id, email: user.email, now: now)
        let lsn: LSN
        do {
            lsn = try await identity.enterTenant(
                token, tenant: found.tenant, joining: true, kind: "invite.accepted", ops: changes.map(\.op), now: now
            ).lsn
        } catch {
            await tenant.finishClaim(invitation: found.invitation, changes: changes, lsn: nil)
            throw error
        }
        await tenant.finishClaim(invitation: found.invitation, changes: changes, lsn: lsn)
        await directory.forgetInvitation(hash)
        return Outcome((await tenant.tenantRow, membership.role), fence: lsn)
    }
}
