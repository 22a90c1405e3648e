import Persistence

/// One batch of replicated ops sorted by the part of memory that owns each row (see
/// `ReplicaApplier`), decoded with the same row codecs start-up loading uses.
struct ReplicaPlan {
    enum IdentityChange: Sendable {
        case user(User)
        case session(Session)
        case removeSession(TokenHash)
        case reset(PasswordReset)
        case removeReset(user: ID)
        case membership(user: ID, tenant: ID)
        case removeMembership(user: ID, tenant: ID)
    }

    enum TenantRowChange: Sendable {
        case change(TenantChange)
        case removeMember(user: ID)
        case removeInvitation(ID)
    }

    enum DirectoryChange: Sendable {
        case workspaceName(String)
        /// An invitation's row: its token hash (nil before its mail went out) replaces any earlier one.
        case invitation(TokenHash?, tenant: ID, invitation: ID)
        case removeInvitation(ID)
    }

    enum BillingChange: Sendable {
        case customer(String, tenant: ID)
        case subscription(String, tenant: ID)
        case event(ProcessedEvent, lsn: LSN)
        case removeEvent(String)
    }

    enum OutboxChange: Sendable {
        case put(OutboxEntry)
        case delete(ID)
    }

    enum QuotaChange: Sendable {
        case send(MailSend)
        case forget(ID)
    }

    var identity: [(LSN, IdentityChange)] = []
    var tenants: [ID: [(LSN, TenantRowChange)]] = [:]
    /// Tenants first seen in this batch: their actors are made before their rows are applied.
    var newTenants: [ID: Tenant] = [:]
    var directory: [DirectoryChange] = []
    var billing: [BillingChange] = []
    var outbox: [OutboxChange] = []
    var quota: [QuotaChange] = []

    private mutating func tenant(_ id: ID, _ change: TenantRowChange, at lsn: LSN) {
        tenants[id, default: []].append((lsn, change))
    }

    /// The tenant of each pending invitation, kept by the applier across batches.
    var invitationTenants: [ID: ID]

    init(invitationTenants: [ID: ID]) { self.invitationTenants = invitationTenants }

    mutating func route(_ op: WALOp, at lsn: LSN) throws {
        switch op {
        case let .put(table, key, value):
            try key.withUnsafeBytes { key in
                try value.withUnsafeBytes { row in try routePut(table, key, row, at: lsn) }
            }
        case let .delete(table, key):
            try key.withUnsafeBytes { key in try routeDelete(table, key, at: lsn) }
        }
    }

    private mutating func routePut(_ table: String, _ key: UnsafeRawBufferPointer, _ row: UnsafeRawBufferPointer, at lsn: LSN) throws {
        switch table {
        case Tables.users:
            var user = try User(row: row)
            user.lsn = lsn
            identity.append((lsn, .user(user)))
        case Tables.sessions:
            var session = try Session(key: key, row: row)
            session.lsn = lsn
            identity.append((lsn, .session(session)))
        case Tables.resetTokens:
            identity.append((lsn, .reset(try PasswordReset(key: key, row: row))))
        case Tables.tenants:
            let tenant = try Tenant(key: key, row: row)
            if tenants[tenant.id] == nil, newTenants[tenant.id] == nil { newTenants[tenant.id] = tenant }
            self.tenant(tenant.id, .change(.tenant(tenant)), at: lsn)
        case Tables.companies:
            let company = try Company(key: key, row: row)
            directory.append(.workspaceName(company.workspaceName))
            tenant(company.tenantID, .change(.company(company)), at: lsn)
        case Tables.memberships:
            let membership = try Membership(key: key, row: row)
            identity.append((lsn, .membership(user: membership.userID, tenant: membership.tenantID)))
            tenant(membership.tenantID, .change(.member(membership)), at: lsn)
        case Tables.invitations:
            let invitation = try Invitation(key: key, row: row)
            invitationTenants[invitation.id] = invitation.tenantID
            directory.append(.invitation(invitation.tokenHash, tenant: invitation.tenantID, invitation: invitation.id))
            tenant(invitation.tenantID, .change(.invitation(invitation)), at: lsn)
        case Tables.billingCustomers:
            let customer = try BillingCustomer(key: key, row: row)
            billing.append(.customer(customer.stripeID, tenant: customer.tenantID))
            tenant(customer.tenantID, .change(.customer(customer)), at: lsn)
        case Tables.subscriptions:
            let subscription = try Subscription(key: key, row: row)
            billing.append(.subscription(subscription.stripeID, tenant: subscription.tenantID))
            tenant(subscription.tenantID, .change(.subscription(subscription)), at: lsn)
        case Tables.stripeEvents:
            billing.append(.event(try ProcessedEvent(key: key, row: row), lsn: lsn))
        case Tables.outbox:
            outbox.append(.put(try OutboxEntry(key: key, row: row)))
        case Tables.mailQuota:
            quota.append(.send(try MailSend(key: key, row: row)))
        default:
            // The plan catalog is seeded by each node from its own configuration (every node
            // should be given the same plans file); other tables have no memory of their own.
            break
        }
    }

    private mutating func routeDelete(_ table: String, _ key: UnsafeRawBufferPointer, at lsn: LSN) throws {
        switch table {
        case Tables.sessions:
            identity.append((lsn, .removeSession(try TokenHash(keyBytes: key))))
        case Tables.resetTokens:
            // Rows keyed by token hash were a format before resets were keyed by user; a primary
            // rewrites them at start, and the standby loaded its own already rewritten.
            guard !PasswordReset.isTokenKeyed(key: key) else { break }
            identity.append((lsn, .removeReset(user: try ID(bytes: key))))
        case Tables.memberships:
            var reader = ByteReader(key)
            let tenantID = try reader.readID()
            let userID = try reader.readID()
            identity.append((lsn, .removeMembership(user: userID, tenant: tenantID)))
            tenant(tenantID, .removeMember(user: userID), at: lsn)
        case Tables.invitations:
            let id = try ID(bytes: key)
            directory.append(.removeInvitation(id))
            if let tenantID = invitationTenants.removeValue(forKey: id) { tenant(tenantID, .removeInvitation(id), at: lsn) }
        case Tables.stripeEvents:
            billing.append(.removeEvent(String(decoding: key, as: UTF8.self)))
        case Tables.outbox:
            outbox.append(.delete(try ID(bytes: key)))
        case Tables.mailQuota:
            quota.append(.forget(try ID(bytes: key)))
        default:
            break
        }
    }
}

extension TokenHash {
    /// A hash stored as a row key (sessions, reset tokens).
    init(keyBytes key: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var reader = ByteReader(key)
        try self.init(reader: &reader)
    }
}
