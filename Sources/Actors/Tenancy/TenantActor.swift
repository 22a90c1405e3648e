import NIOCore
import NIOPosix
import Persistence

/// Owns one tenant's state. Each method authorises the caller (in `TenantState.authorize`),
/// appends the request's changes as one WAL record and applies them in the same turn.
public actor TenantActor: LoopBound {
    public let id: ID
    var state: TenantState
    let journal: Journal
    /// The newest change applied; reads wait for it to be durable before answering.
    var lastLSN: LSN
    /// The event loop the actor runs on (`LoopBound`); pmd passes the JSON-RPC loop.
    public nonisolated let loop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    public init(
        state: TenantState, journal: Journal, lastLSN: LSN = 0, loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) {
        self.loop = loop
        self.id = state.tenant.id
        self.state = state
        self.journal = journal
        self.lastLSN = lastLSN
    }

    /// Appends and applies; the fence of the answer is the record's LSN.
    func commit(_ kind: String, _ changes: [TenantChange], at now: Timestamp) throws(DomainError) -> LSN {
        let lsn = try journal.append(kind, at: now, changes.map(\.op))
        for change in changes { state.apply(change) }
        lastLSN = lsn
        return lsn
    }

    func read<T: Sendable>(_ value: T, for caller: Caller? = nil) -> Outcome<T> {
        Outcome(value, fence: max(lastLSN, caller?.fence ?? 0))
    }

    // MARK: - Reads

    public func summary(for user: ID) -> Outcome<(tenant: Tenant, role: Role)?> {
        read(state.member(user).map { (state.tenant, $0.role) })
    }

    public func companies(_ caller: Caller) throws(DomainError) -> Outcome<[Company]> {
        _ = try state.authorize(caller.userID, .readCompanies)
        return read(state.companiesNewestFirst, for: caller)
    }

    public func company(_ caller: Caller, id: ID) throws(DomainError) -> Outcome<Company> {
        _ = try state.authorize(caller.userID, .readCompanies)
        return read(try state.company(id), for: caller)
    }

    public func members(_ caller: Caller) throws(DomainError) -> Outcome<[Membership]> {
        _ = try state.authorize(caller.userID, .readMembers)
        return read(state.members.sorted { ($0.joinedAt, $0.userID) < ($1.joinedAt, $1.userID) }, for: caller)
    }

    public func invitations(_ caller: Caller, now: Timestamp = .now()) throws(DomainError) -> Outcome<[Invitation]> {
        _ = try state.authorize(caller.userID, .readInvites)
        return read(state.pendingInvitations(at: now), for: caller)
    }

    /// Whether `user` is a member with a role that may do `action` (for coordinators).
    public func authorize(_ user: ID, _ action: TenantAction) throws(DomainError) -> Membership {
        try state.authorize(user, action)
    }

    // MARK: - Writes

    public func createCompany(_ caller: Caller, name: String, workspaceName: String) throws(DomainError) -> Outcome<Company> {
        let now = Timestamp.now()
        let company = try state.createCompany(by: caller.userID, name: name, workspaceName: workspaceName, now: now)
        return Outcome(company, fence: try commit("company.created", [.company(company)], at: now))
    }

    public func updateCompany(_ caller: Caller, id: ID, patch: CompanyPatch) throws(DomainError) -> Outcome<Company> {
        let now = Timestamp.now()
        let company = try state.updateCompany(by: caller.userID, id: id, patch: patch, now: now)
        return Outcome(company, fence: try commit("company.updated", [.company(company)], at: now))
    }

    public func archiveCompany(_ caller: Caller, id: ID) throws(DomainError) -> Outcome<Company> {
        let now = Timestamp.now()
        let company = try state.archiveCompany(by: caller.userID, id: id, now: now)
        return Outcome(company, fence: try commit("company.archived", [.company(company)], at: now))
    }

    public func removeMember(_ caller: Caller, userID: ID) throws(DomainError) -> Outcome<Membership> {
        let now = Timestamp.now()
        let removed = try state.removeMember(by: caller.userID, target: userID)
        return Outcome(removed, fence: try commit("member.removed", [.removeMember(removed)], at: now))
    }

    public func setRole(_ caller: Caller, userID: ID, role: Role) throws(DomainError) -> Outcome<Membership> {
        let now = Timestamp.now()
        let changed = try state.setRole(by: caller.userID, target: userID, role: role)
        return Outcome(changed, fence: try commit("member.role_changed", [.member(changed)], at: now))
    }

    public var tenantRow: Tenant { state.tenant }

    /// Creates an invitation and its mail, in one record with the mail's count for the sending
    /// limits (429 over any of them: the recipient's, this tenant's, the inviter's). The mail
    /// names the tenant as it is now and holds no link: that is minted when the mail goes out
    /// (`mintInvitationLink`).
    public func invite(
        _ caller: Caller, email: String, role: Role, existingUser: ID?, ttlSeconds: Int64, limiter: MailLimiter
    ) throws(DomainError) -> Outcome<(invitation: Invitation, replaced: Invitation?, mail: OutboxEntry)> {
        let now = Timestamp.now()
        let (invitation, replaced) = try state.invite(
            by: caller.userID, email: email, role: role, existingUser: existingUser, now: now, ttlSeconds: ttlSeconds)
        // Dated like the invitation, so the lifetime the mail states is exactly the invitation's.
        let mail = OutboxEntry(
            createdAt: invitation.createdAt, to: email,
            content: .invitation(
                .init(
                    tenantID: id, invitationID: invitation.id, tenantName: state.tenant.name, role: role,
                    expiresAt: invitation.expiresAt)))
        var changes: [TenantChange] = []
        if let replaced { changes.append(.removeInvitation(replaced)) }
        changes.append(.invitation(invitation))
        let scopes: [MailScope] = [.invitationsTo(email), .invitationsFrom(id), .invitationsBy(caller.userID)]
        let send: MailSend
        switch limiter.reserve(scopes, mail: mail.id, at: now) {
        case let .granted(granted): send = granted
        case let .refused(seconds): throw .tooManyInvitations(retryAfter: seconds)
        }
        let lsn: LSN
        do {
            lsn = try journal.append("invite.created", at: now, changes.map(\.op) + [mail.put, send.put])
        } catch {
            limiter.release(send)
            throw error
        }
        for change in changes { state.apply(change) }
        lastLSN = lsn
        return Outcome((invitation, replaced, mail), fence: lsn)
    }

    /// The link of an invitation mail about to be delivered: a fresh token whose hash replaces
    /// the invitation's previous one, committed before the mailer may send it. Returns the
    /// replaced hash too, for the directory's index.
    public func mintInvitationLink(_ id: ID) -> (link: MintedLink, replaced: TokenHash?) {
        let now = Timestamp.now()
        let secret = SecretToken.generate()
        let hash = TokenHash(digest: secret.hash)
        guard let invitation = state.relinked(invitation: id, token: hash, now: now) else { return (.obsolete, nil) }
        let replaced = state.invitations.first { $0.id == id }?.tokenHash
        guard let lsn = try? commit("invite.link", [.invitation(invitation)], at: now) else { return (.unavailable, nil) }
        return (.minted(secret, lsn: lsn), replaced)
    }

    public func revoke(_ caller: Caller, invitation id: ID) throws(DomainError) -> Outcome<Invitation> {
        let now = Timestamp.now()
        let invitation = try state.revoke(by: caller.userID, invitation: id, now: now)
        return Outcome(invitation, fence: try commit("invite.revoked", [.removeInvitation(invitation)], at: now))
    }

    // MARK: - Accepting an invitation (two steps around the identity actor's commit)

    /// Claims the invitation opened by `token` and returns the changes the accepting record must carry.
    public func claim(invitation id: ID, token: TokenHash, user: ID, email: String, now: Timestamp) throws(DomainError) -> (changes: [TenantChange], membership: Membership) {
        let (invitation, membership) = try state.claim(invitation: id, token: token, user: user, email: email, now: now)
        return ([.removeInvitation(invitation), .member(membership)], membership)
    }

    /// Applies a claimed invitation's changes once their record is appended (at `lsn`), or
    /// releases the claim when it was not.
    public func finishClaim(invitation id: ID, changes: [TenantChange], lsn: LSN?) {
        guard let lsn else {
            state.releaseClaim(id)
            return
        }
        for change in changes { state.apply(change) }
        lastLSN = max(lastLSN, lsn)
    }

    public var memberCount: Int { state.members.count }
}
