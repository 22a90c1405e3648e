import Persistence

/// Who is asking, as resolved from the session: the signed-in user in their active tenant.
public struct Caller: Sendable {
    public let userID: ID
    public let email: String
    public let tenantID: ID
    /// The newest write to the caller's user or session (e.g. an undurable switch of the active
    /// tenant): an answer that relies on it waits for it too.
    public let fence: LSN

    public init(userID: ID, email: String, tenantID: ID, fence: LSN = 0) {
        self.userID = userID
        self.email = email
        self.tenantID = tenantID
        self.fence = fence
    }
}

/// One change to a tenant's rows; the tenant actor appends the ops of a request's changes as
/// one WAL record, then applies the changes to its state.
public enum TenantChange: Sendable {
    case tenant(Tenant)
    case company(Company)
    case member(Membership)
    case removeMember(Membership)
    case invitation(Invitation)
    case removeInvitation(Invitation)
    case customer(BillingCustomer)
    case subscription(Subscription)

    var op: WALOp {
        switch self {
        case let .tenant(tenant): tenant.put
        case let .company(company): company.put
        case let .member(membership): membership.put
        case let .removeMember(membership): membership.delete
        case let .invitation(invitation): invitation.put
        case let .removeInvitation(invitation): invitation.delete
        case let .customer(customer): customer.put
        case let .subscription(subscription): subscription.put
        }
    }
}

/// A tenant's companies, members and pending invitations as plain values, with the rules of
/// SPEC §6.3–6.4 as functions that either throw the domain error or return the changes to make.
/// Collections are arrays: a tenant has few of each, and arrays keep 100k idle tenants small.
public struct TenantState: Sendable {
    public private(set) var tenant: Tenant
    public private(set) var companies: [Company] = []
    public private(set) var members: [Membership] = []
    public private(set) var invitations: [Invitation] = []
    /// The tenant's Stripe customer, once created (billing).
    public private(set) var customer: BillingCustomer?
    /// Every Stripe subscription of the tenant pmd knows, canceled ones included.
    public private(set) var subscriptions: [Subscription] = []
    /// Invitations an `invites.accept` has claimed but not yet committed.
    private var accepting: Set<ID> = []

    public init(tenant: Tenant) { self.tenant = tenant }

    // MARK: - Reading

    /// The caller's membership, checked against the action: the one place roles are enforced.
    /// A caller who is no longer a member has no tenant context (their session still named it).
    public func authorize(_ user: ID, _ action: TenantAction) throws(DomainError) -> Membership {
        guard let member = member(user) else { throw .noTenantContext }
        try Permissions.require(member.role, action)
        return member
    }

    public func member(_ user: ID) -> Membership? { members.first { $0.userID == user } }

    public func company(_ id: ID) throws(DomainError) -> Company {
        guard let company = companies.first(where: { $0.id == id }) else { throw .companyNotFound }
        return company
    }

    /// Newest first (SPEC §6.3), archived included.
    public var companiesNewestFirst: [Company] {
        companies.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    public func pendingInvitations(at now: Timestamp) -> [Invitation] {
        invitations.filter { !$0.isExpired(at: now) && !accepting.contains($0.id) }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    var ownerCount: Int { members.count { $0.role == .owner } }

    /// A creation time after every company's and invitation's in this tenant, so "newest first"
    /// is the creation order even for rows made in the same millisecond, also after a restart
    /// (rows carry no sequence number, only their time).
    func creationTime(_ now: Timestamp) -> Timestamp {
        let latest = max(companies.map(\.createdAt).max() ?? now, invitations.map(\.createdAt).max() ?? now)
        return latest < now ? now : Timestamp(milliseconds: latest.milliseconds + 1)
    }

    // MARK: - Rules that produce changes

    public func createCompany(by user: ID, name: String, workspaceName: String, now: Timestamp) throws(DomainError) -> Company {
        _ = try authorize(user, .manageCompanies)
        let created = creationTime(now)
        return Company(
            id: .random(), tenantID: tenant.id, name: name, workspaceName: workspaceName, logoURL: nil,
            status: .active, createdAt: created, updatedAt: created)
    }

    public func updateCompany(by user: ID, id: ID, patch: CompanyPatch, now: Timestamp) throws(DomainError) -> Company {
        _ = try authorize(user, .manageCompanies)
        var company = try company(id)
        if let name = patch.name { company.name = name }
        switch patch.logoURL {
        case let .set(url)?: company.logoURL = url
        case .clear?: company.logoURL = nil
        case nil: break
        }
        company.updatedAt = now
        return company
    }

    public func archiveCompany(by user: ID, id: ID, now: Timestamp) throws(DomainError) -> Company {
        _ = try authorize(user, .manageCompanies)
        var company = try company(id)
        company.status = .archived
        company.updatedAt = now
        return company
    }

    public func removeMember(by user: ID, target: ID) throws(DomainError) -> Membership {
        guard let actor = member(user) else { throw .noTenantContext }
        // Self-removal is refused before existence is checked, so the message is the specific one;
        // a role that may remove nobody is refused before it can probe who is a member.
        if target == user { throw .cannotRemoveSelf }
        try Permissions.require(actor.role, .removeMember(.viewer))
        guard let removed = member(target) else { throw .memberNotFound }
        try MembershipRules.checkRemoval(
            actorID: user, actorRole: actor.role, targetID: target, targetRole: removed.role, ownerCount: ownerCount)
        return removed
    }

    public func setRole(by user: ID, target: ID, role: Role) throws(DomainError) -> Membership {
        guard let actor = member(user) else { throw .noTenantContext }
        try Permissions.require(actor.role, .setRole(from: .viewer, to: .member))
        guard var changed = member(target) else { throw .memberNotFound }
        try MembershipRules.checkRoleChange(actorRole: actor.role, from: changed.role, to: role, ownerCount: ownerCount)
        changed.role = role
        return changed
    }

    /// A new invitation (without a link until its mail goes out), and the expired one for the
    /// same address it replaces, if any.
    public func invite(
        by user: ID, email: String, role: Role, existingUser: ID?, now: Timestamp, ttlSeconds: Int64
    ) throws(DomainError) -> (invitation: Invitation, replaces: Invitation?) {
        _ = try authorize(user, .invite(role))
        if let existingUser, member(existingUser) != nil { throw .alreadyMemberOrInvited }
        let previous = invitations.first { $0.email == email }
        if let previous, !previous.isExpired(at: now) || accepting.contains(previous.id) { throw .alreadyMemberOrInvited }
        let created = creationTime(now)
        let invitation = Invitation(
            id: .random(), tenantID: tenant.id, email: email, role: role, tokenHash: nil, invitedBy: user,
            createdAt: created, expiresAt: created.adding(seconds: ttlSeconds))
        return (invitation, previous)
    }

    public func revoke(by user: ID, invitation id: ID, now: Timestamp) throws(DomainError) -> Invitation {
        _ = try authorize(user, .revokeInvite)
        guard let invitation = invitations.first(where: { $0.id == id }), !invitation.isExpired(at: now),
            !accepting.contains(id)
        else { throw .invitationNotFound }
        return invitation
    }

    /// Checks an invitation for `invites.accept` and claims it, so a concurrent accept or revoke
    /// of the same invitation finds nothing until `finishAccept`. Only the link of the latest
    /// mail sent (`token`) opens it; the directory's index may still hold a replaced one.
    public mutating func claim(invitation id: ID, token: TokenHash, user: ID, email: String, now: Timestamp) throws(DomainError) -> (invitation: Invitation, membership: Membership) {
        guard let invitation = invitations.first(where: { $0.id == id }), invitation.tokenHash == token,
            !invitation.isExpired(at: now), !accepting.contains(id)
        else { throw .invitationNotFound }
        guard invitation.email == email else { throw .invitationEmailMismatch }
        if member(user) != nil { throw .alreadyMemberOrInvited }
        accepting.insert(id)
        return (invitation, Membership(tenantID: tenant.id, userID: user, role: invitation.role, joinedAt: now))
    }

    public mutating func releaseClaim(_ id: ID) { accepting.remove(id) }

    /// The invitation with a new link (`token`), for its mail about to go out; nil when it is no
    /// longer pending, or is being accepted right now — with a link already sent, and its record
    /// (deleting the row) possibly ahead of any this tenant would append.
    public func relinked(invitation id: ID, token: TokenHash, now: Timestamp) -> Invitation? {
        guard var invitation = invitations.first(where: { $0.id == id }), !invitation.isExpired(at: now),
            !accepting.contains(id)
        else { return nil }
        invitation.tokenHash = token
        return invitation
    }

    // MARK: - Applying

    public mutating func apply(_ change: TenantChange) {
        switch change {
        case let .tenant(tenant):
            self.tenant = tenant
        case let .company(company):
            if let index = companies.firstIndex(where: { $0.id == company.id }) {
                companies[index] = company
            } else {
                companies.append(company)
            }
        case let .member(membership):
            if let index = members.firstIndex(where: { $0.userID == membership.userID }) {
                members[index] = membership
            } else {
                members.append(membership)
            }
        case let .removeMember(membership):
            members.removeAll { $0.userID == membership.userID }
        case let .invitation(invitation):
            invitations.removeAll { $0.id == invitation.id }
            invitations.append(invitation)
        case let .removeInvitation(invitation):
            invitations.removeAll { $0.id == invitation.id }
            accepting.remove(invitation.id)
        case let .customer(customer):
            self.customer = customer
        case let .subscription(subscription):
            if let index = subscriptions.firstIndex(where: { $0.stripeID == subscription.stripeID }) {
                subscriptions[index] = subscription
            } else {
                subscriptions.append(subscription)
            }
        }
    }
}
