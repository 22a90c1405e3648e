import Persistence

/// Users, their sessions and the email index, as plain values: the identity actor owns one of
/// these; tests drive it directly.
public struct IdentityState: Sendable {
    public private(set) var users: [ID: User] = [:]
    private var emailIndex: [String: ID] = [:]
    public private(set) var sessions: [TokenHash: Session] = [:]
    private var sessionsByUser: [ID: Set<TokenHash>] = [:]
    /// The tenants each user belongs to (derived from the `memberships` table at start, kept in
    /// step by the tenancy flows), so a session's active tenant can be checked without asking
    /// the tenant: a removed member's sessions lose that tenant at once.
    private var memberships: [ID: Set<ID>] = [:]

    public init() {}

    public func tenants(of user: ID) -> Set<ID> { memberships[user] ?? [] }

    public mutating func addMembership(user: ID, tenant: ID) { memberships[user, default: []].insert(tenant) }

    public mutating func removeMembership(user: ID, tenant: ID) {
        memberships[user]?.remove(tenant)
        if memberships[user]?.isEmpty == true { memberships[user] = nil }
    }

    /// The session's active tenant, if the user is still a member of it.
    public func activeTenant(of session: Session) -> ID? {
        guard let tenant = session.activeTenantID, memberships[session.userID]?.contains(tenant) == true else { return nil }
        return tenant
    }

    /// `auth.login`'s tenant (SPEC §6.2): the user's only tenant, else the last one they used
    /// (if still a member), else none.
    public func loginTenant(for user: User) -> ID? {
        let tenants = tenants(of: user.id)
        if tenants.count == 1 { return tenants.first }
        if let last = user.lastTenantID, tenants.contains(last) { return last }
        return nil
    }

    public func user(_ id: ID) -> User? { users[id] }

    public func user(email normalised: String) -> User? { emailIndex[normalised].flatMap { users[$0] } }

    public func session(_ hash: TokenHash) -> Session? { sessions[hash] }

    public func sessions(of user: ID) -> [Session] {
        (sessionsByUser[user] ?? []).compactMap { sessions[$0] }
    }

    public mutating func put(_ user: User) {
        if let old = users[user.id], old.email != user.email { emailIndex[old.email] = nil }
        users[user.id] = user
        emailIndex[user.email] = user.id
    }

    public mutating func put(_ session: Session) {
        sessions[session.tokenHash] = session
        sessionsByUser[session.userID, default: []].insert(session.tokenHash)
    }

    public mutating func removeSession(_ hash: TokenHash) {
        guard let session = sessions.removeValue(forKey: hash) else { return }
        sessionsByUser[session.userID]?.remove(hash)
        if sessionsByUser[session.userID]?.isEmpty == true { sessionsByUser[session.userID] = nil }
    }

    /// Rebuilds the state from the `users` and `sessions` tables. Sessions already expired are
    /// left out and returned, so the caller can delete their rows.
    public static func load(from store: Store, now: Timestamp) throws -> (state: IdentityState, expired: [TokenHash]) {
        var state = IdentityState()
        try store.scan(Tables.users) { _, row in state.put(try User(row: row)) }
        try store.scan(Tables.memberships) { key, _ in
            var reader = ByteReader(key)
            let tenant = try reader.readID()
            state.addMembership(user: try reader.readID(), tenant: tenant)
        }
        var expired: [TokenHash] = []
        try store.scan(Tables.sessions) { key, row in
            let session = try Session(key: key, row: row)
            if session.isExpired(at: now) { expired.append(session.tokenHash) } else { state.put(session) }
        }
        return (state, expired)
    }
}
