import Persistence

/// Users, their sessions, password resets and the email index, as plain values: the identity actor
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
    /// Pending resets by user (at most one each), and the users by the hash of their live link.
    public private(set) var resets: [ID: PasswordReset] = [:]
    private var resetsByToken: [TokenHash: ID] = [:]

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

    /// The reset whose latest link hashes to `hash`.
    public func reset(token hash: TokenHash) -> PasswordReset? { resetsByToken[hash].flatMap { resets[$0] } }

    public func reset(of user: ID) -> PasswordReset? { resets[user] }

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

    /// Adds or replaces the user's reset; a replaced link stops working.
    public mutating func put(_ reset: PasswordReset) {
        if let old = resets.updateValue(reset, forKey: reset.userID)?.tokenHash { resetsByToken[old] = nil }
        if let hash = reset.tokenHash { resetsByToken[hash] = reset.userID }
    }

    public mutating func removeReset(of user: ID) {
        guard let old = resets.removeValue(forKey: user) else { return }
        if let hash = old.tokenHash { resetsByToken[hash] = nil }
    }

    /// Sessions and resets expired at `now`, at most `limit` of each: what a sweep deletes.
    public func expired(at now: Timestamp, limit: Int) -> (sessions: [Session], resets: [PasswordReset]) {
        var deadSessions: [Session] = []
        for session in sessions.values where session.isExpired(at: now) {
            deadSessions.append(session)
            if deadSessions.count == limit { break }
        }
        var deadResets: [PasswordReset] = []
        for reset in resets.values where reset.isExpired(at: now) {
            deadResets.append(reset)
            if deadResets.count == limit { break }
        }
        return (deadSessions, deadResets)
    }

    /// What start-up found: the state, and the rows that had expired while pmd was down or are
    /// in an older layout, for the caller to delete or rewrite.
    public struct Loaded: Sendable {
        public var state: IdentityState
        public var expiredSessions: [TokenHash]
        /// Keys of reset rows to delete: expired ones, and every token-keyed row of version 1.
        public var staleResetKeys: [[UInt8]]
        /// Version-1 resets still live, to be written again keyed by user.
        public var upgradedResets: [PasswordReset]

        /// One WAL record's worth: deletes of the expired rows, and the old-layout resets
        /// rewritten in the current one.
        public var purgeOps: [WALOp] {
            expiredSessions.map { .delete(table: Tables.sessions, key: $0.bytes) }
                + staleResetKeys.map { .delete(table: Tables.resetTokens, key: $0) }
                + upgradedResets.map(\.put)
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
        var staleResetKeys: [[UInt8]] = []
        var upgraded: [ID: PasswordReset] = [:]
        try store.scan(Tables.resetTokens) { key, row in
            let reset = try PasswordReset(key: key, row: row)
            let tokenKeyed = PasswordReset.isTokenKeyed(key: key)
            if tokenKeyed || reset.isExpired(at: now) { staleResetKeys.append(Array(key)) }
            guard !reset.isExpired(at: now) else { return }
            if tokenKeyed {
                // An older pmd kept one row per token; the newest request is the user's reset.
                if upgraded[reset.userID].map({ $0.requestedAt < reset.requestedAt }) ?? true { upgraded[reset.userID] = reset }
            } else {
                state.put(reset)
            }
        }
        let upgradedResets = upgraded.values.filter { state.reset(of: $0.userID) == nil }
        for reset in upgradedResets { state.put(reset) }
        return Loaded(state: state, expiredSessions: expiredSessions, staleResetKeys: staleResetKeys, upgradedResets: upgradedResets)
    }
}
