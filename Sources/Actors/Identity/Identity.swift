import NIOCore
import NIOPosix
import Persistence

/// Owns users and sessions. Every change is appended to the WAL in the same actor turn that
/// applies it to memory, so the log order of identity records is the order they took effect.
///
/// The actor is split by concern over several files (`Identity+….swift`); they share the state
/// below, which is therefore internal rather than private.
public actor Identity: LoopBound {
    var state: IdentityState
    /// Failed logins per email; in memory on purpose (see `LoginThrottle`).
    var throttle = LoginThrottle()
    let journal: Journal
    let passwords: PasswordService
    let mailer: Mailer
    /// Counts reset mail per address (`MailLimits`).
    let limiter: MailLimiter
    let settings: Settings
    /// The event loop the actor runs on (`LoopBound`); pmd passes the JSON-RPC loop.
    public nonisolated let loop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }

    /// What identity needs from the configuration.
    public struct Settings: Sendable {
        /// `PMD_SESSION_TTL` in seconds.
        public var sessionTTL: Int64
        /// `PMD_RESET_TTL` in seconds.
        public var resetTTL: Int64

        public init(sessionTTL: Int64, resetTTL: Int64) {
            self.sessionTTL = sessionTTL
            self.resetTTL = resetTTL
        }
    }

    /// What `auth.login` returns.
    public struct Login: Sendable {
        public let user: User
        public let token: String
        public let session: Session
    }

    public init(
        state: IdentityState, journal: Journal, passwords: PasswordService, mailer: Mailer, limiter: MailLimiter,
        settings: Settings, loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) {
        self.loop = loop
        self.state = state
        self.journal = journal
        self.passwords = passwords
        self.mailer = mailer
        self.limiter = limiter
        self.settings = settings
    }

    public var userCount: Int { state.users.count }
    public var sessionCount: Int { state.sessions.count }

    // MARK: - Sessions: the one place that turns a token into a signed-in user

    /// The live session for `token`. An expired session is purged and answers 401; a session
    /// used long enough after its last renewal (`Session.needsRenewal`) gets a new expiry
    /// (written, not awaited: no response shows the expiry, and losing a renewal in a crash only
    /// shortens a session).
    public func authenticate(_ token: String, now: Timestamp = .now()) throws(DomainError) -> Session {
        let hash = TokenHash(token: token)
        guard var session = state.session(hash) else { throw .invalidSession }
        if session.isExpired(at: now) {
            _ = try? journal.append("session.expired", at: now, [session.delete])
            state.removeSession(hash)
            throw .invalidSession
        }
        if session.needsRenewal(at: now, ttlSeconds: settings.sessionTTL) {
            session.expiresAt = now.adding(seconds: settings.sessionTTL)
            session.renewedAt = now
            if (try? journal.append("session.renewed", at: now, [session.put])) != nil { state.put(session) }
        }
        return session
    }

    func signedInUser(_ token: String, now: Timestamp) throws(DomainError) -> (User, Session) {
        let session = try authenticate(token, now: now)
        guard let user = state.user(session.userID) else { throw .invalidSession }
        return (user, session)
    }

    // MARK: - Methods

    public func signup(_ input: SignupInput) async throws(DomainError) -> Outcome<User> {
        // Refuse a known email before spending a scrypt hash on it.
        if state.user(email: input.email) != nil {
            throw .emailAlreadyRegistered
        }
        let hash = try await passwords.hash(input.password)
        // The actor was free while hashing: another signup may have taken the email meanwhile.
        if state.user(email: input.email) != nil {
            throw .emailAlreadyRegistered
        }
        let now = Timestamp.now()
        var user = User(
            id: .random(), email: input.email, profile: UserProfile(name: input.name), preferences: nil,
            passwordHash: hash, createdAt: now, updatedAt: now, lastTenantID: nil)
        user.lsn = try journal.append("user.signup", at: now, [user.put])
        state.put(user)
        return Outcome(user, fence: user.lsn)
    }

    public func login(email: String, password: String) async throws(DomainError) -> Outcome<Login> {
        let normalised = EmailRule.lookupKey(email)
        let begun = Timestamp.now()
        // Throttled before any work, and counted as a failure until proven right (LoginThrottle).
        try throttle.begin(normalised, at: begun)
        let matches: Bool
        let user = state.user(email: normalised)
        do {
            if let user {
                matches = try await passwords.verify(password, against: user.passwordHash)
            } else {
                matches = try await passwords.verifyDecoy(password)
            }
        } catch {
            throttle.abandon(normalised, begunAt: begun)
            throw error
        }
        // The password may have changed while we verified: only the current hash counts.
        guard matches, let user, let current = state.user(user.id), current.passwordHash == user.passwordHash else {
            throw .invalidCredentials
        }
        throttle.succeeded(normalised)
        let now = Timestamp.now()
        let secret = SecretToken.generate()
        var session = Session(
            tokenHash: TokenHash(digest: secret.hash), userID: current.id, createdAt: now,
            expiresAt: now.adding(seconds: settings.sessionTTL), activeTenantID: state.loginTenant(for: current))
        session.lsn = try journal.append("session.login", at: now, [session.put])
        state.put(session)
        return Outcome(Login(user: current, token: secret.token, session: session), fence: max(session.lsn, current.lsn))
    }

    public func logout(_ token: String) throws(DomainError) -> Outcome<Void> {
        let now = Timestamp.now()
        let session = try authenticate(token, now: now)
        let lsn = try journal.append("session.logout", at: now, [session.delete])
        state.removeSession(session.tokenHash)
        return Outcome((), fence: lsn)
    }

    /// `users.me`: the user and the session's active tenant (if still a member).
    public struct Me: Sendable {
        public let user: User
        public let tenantID: ID?
    }

    public func me(_ token: String) throws(DomainError) -> Outcome<Me> {
        let (user, session) = try signedInUser(token, now: .now())
        return Outcome(Me(user: user, tenantID: state.activeTenant(of: session)), fence: max(user.lsn, session.lsn))
    }

    public func update(_ token: String, _ patch: ProfilePatch) throws(DomainError) -> Outcome<Me> {
        let now = Timestamp.now()
        var (user, session) = try signedInUser(token, now: now)
        let (profile, preferences) = patch.applied(to: user.profile, preferences: user.effectivePreferences)
        user.profile = profile
        if patch.touchesPreferences { user.preferences = preferences }
        user.updatedAt = now
        user.lsn = try journal.append("user.updated", at: now, [user.put])
        state.put(user)
        return Outcome(Me(user: user, tenantID: state.activeTenant(of: session)), fence: max(user.lsn, session.lsn))
    }
}

extension ProfilePatch {
    /// Whether the patch sets any preference (otherwise a user keeps following the defaults).
    var touchesPreferences: Bool {
        theme != nil || language != nil || timezone != nil || emailNotifications != nil
            || pushNotifications != nil || weeklyReports != nil || marketingEmails != nil
    }
}
