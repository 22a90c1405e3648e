import Persistence

/// Users, their sessions, reset tokens and the email index, as plain values: the identity actor
/// owns one of these; tests drive it directly.
public struct IdentityState: Sendable {
    public private(set) var users: [ID: User] = [:]
    private var emailIndex: [String: ID] = [:]
    public private(set) var sessions: [TokenHash: Session] = [:]
    private var sessionsByUser: [ID: Set<TokenHash>] = [:]
    /// The tenants each user belongs to (derived from the `memberships` table at start, kept in
    /// step by the tenancy flows), so a session's active tenant can be checked without asking
    /// the tenant: a removed member's sessions lose that tenant at once.
    private var memberships: [ID: Set<ID>] = [:]
    public private(set) var resetTokens: [TokenHash: ResetToken] = [:]
    private var resetTokensByUser: [ID: Set<TokenHash>] = [:]

    public init() {}

    mutating func reserve(users count: Int, sessions sessionCount: Int) {
        users.reserveCapacity(count)
        emailIndex.reserveCapacity(count)
        sessions.reserveCapacity(sessionCount)
        sessionsByUser.reserveCapacity(sessionCount)
    }

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

    public func resetToken(_ hash: TokenHash) -> ResetToken? { resetTokens[hash] }

    public func resetTokens(of user: ID) -> [ResetToken] {
        (resetTokensByUser[user] ?? []).compactMap { resetTokens[$0] }
    }

    public mutating func put(_ user: User) {
        // One lookup in the common case (a profile change): the email index is only touched
        // when the address is new or changed.
        let old = users.updateValue(user, forKey: user.id)
        guard old?.email != user.email else { return }
        if let old { emailIndex[old.email] = nil }
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

    public mutating func put(_ token: ResetToken) {
        resetTokens[token.tokenHash] = token
        resetTokensByUser[token.userID, default: []].insert(token.tokenHash)
    }

    public mutating func removeResetToken(_ hash: TokenHash) {
        guard let token = resetTokens.removeValue(forKey: hash) else { return }
        resetTokensByUser[token.userID]?.remove(hash)
        if resetTokensByUser[token.userID]?.isEmpty == true { resetTokensByUser[token.userID] = nil }
    }

    /// Sessions and reset tokens expired at `now`, at most `limit` of each: what a sweep deletes.
    public func expired(at now: Timestamp, limit: Int) -> (sessions: [Session], resetTokens: [ResetToken]) {
        var deadSessions: [Session] = []
        for session in sessions.values where session.isExpired(at: now) {
            deadSessions.append(session)
            if deadSessions.count == limit { break }
        }
        var deadTokens: [ResetToken] = []
        for token in resetTokens.values where token.isExpired(at: now) {
            deadTokens.append(token)
            if deadTokens.count == limit { break }
        }
        return (deadSessions, deadTokens)
    }

    /// What start-up found: the state, and the rows that had expired while pmd was down, for
    /// the caller to delete.
    public struct Loaded: Sendable {
        public var state: IdentityState
        public var expiredSessions: [TokenHash]
        public var expiredResetTokens: [TokenHash]

        /// Deletes of the expired rows, for one WAL record.
        public var purgeOps: [WALOp] {
            expiredSessions.map { .delete(table: Tables.sessions, key: $0.bytes) }
                + expiredResetTokens.map { .delete(table: Tables.resetTokens, key: $0.bytes) }
        }
    }

    /// Rebuilds the state from the `users`, `sessions` and `reset_tokens` tables, leaving out
    /// what has already expired.
    public static func load(from store: Store, now: Timestamp) throws -> Loaded {
        var state = IdentityState()
        // Sized up front: growing dictionaries of a million users rehashes them about twenty times.
        state.reserve(users: try store.count(Tables.users), sessions: try store.count(Tables.sessions))
        try store.scan(Tables.users) { _, row in state.put(try User(row: row)) }
        try store.scan(Tables.memberships) { key, _ in
            var reader = ByteReader(key)
            let tenant = try reader.readID()
            state.addMembership(user: try reader.readID(), tenant: tenant)
        }
        var expiredSessions: [TokenHash] = []
        try store.scan(Tables.sessions) { key, row in
            let session = try Session(key: key, row: row)
            if session.isExpired(at: now) { expiredSessions.append(session.tokenHash) } else { state.put(session) }
        }
        var expiredTokens: [TokenHash] = []
        try store.scan(Tables.resetTokens) { key, row in
            let token = try ResetToken(key: key, row: row)
            if token.isExpired(at: now) { expiredTokens.append(token.tokenHash) } else { state.put(token) }
        }
        return Loaded(state: state, expiredSessions: expiredSessions, expiredResetTokens: expiredTokens)
    }
}
