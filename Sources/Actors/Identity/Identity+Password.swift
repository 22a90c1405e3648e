import Persistence

/// Forgotten passwords, resets and changes (SPEC §6.2). Each request is one WAL record: the new
/// hash, the reset it consumes, the sessions it ends and the mail it sends commit together.
extension Identity {
    /// `auth.forgotPassword` for an already validated, normalised email. Answers the same for
    /// known and unknown addresses, and for addresses over their limit (`MailLimits`), and does
    /// the same work for all — one WAL record and a wait for its commit — so neither the answer
    /// nor its timing tells whether an account exists. Only for a known user under the limit does
    /// the record carry rows: the user's reset (replacing any earlier one, whose link stops
    /// working: each user has at most one live link), its mail, which holds no link yet — the
    /// mailer mints it when it delivers (`mintResetLink`) — and the mail's count for the limit.
    /// Over the limit nothing changes: a flood cannot even end the link already sent.
    public func forgotPassword(email: String) throws(DomainError) -> Outcome<Void> {
        let now = Timestamp.now()
        let mailID = ID.random()
        guard let user = state.user(email: email),
            case let .granted(send) = limiter.reserve([.resetsTo(user.email)], mail: mailID, at: now)
        else {
            // An empty record: nothing to send costs the same commit wait as a mail.
            let lsn = try journal.append("password.reset.requested", at: now, [])
            return Outcome((), fence: lsn)
        }
        let reset = PasswordReset(userID: user.id, requestedAt: now, expiresAt: now.adding(seconds: settings.resetTTL))
        let entry = OutboxEntry(
            id: mailID, createdAt: now, to: user.email,
            content: .passwordReset(.init(userID: user.id, expiresAt: reset.expiresAt)))
        let lsn: LSN
        do {
            lsn = try journal.append("password.reset.requested", at: now, [reset.put, entry.put, send.put])
        } catch {
            limiter.release(send)
            throw error
        }
        state.put(reset)
        mailer.committed(entry, lsn: lsn)
        return Outcome((), fence: lsn)
    }

    /// The link of a reset mail about to be delivered: a fresh token whose hash replaces the
    /// reset's previous one (so only the newest mail's link works), committed before the mailer
    /// may send it. Obsolete when the user has no live reset any more (used, expired, or the
    /// password changed).
    public func mintResetLink(user: ID) -> MintedLink {
        let now = Timestamp.now()
        guard var reset = state.reset(of: user), !reset.isExpired(at: now), state.user(user) != nil else { return .obsolete }
        let secret = SecretToken.generate()
        reset.tokenHash = TokenHash(digest: secret.hash)
        guard let lsn = try? journal.append("password.reset.link", at: now, [reset.put]) else { return .unavailable }
        state.put(reset)
        return .minted(secret, lsn: lsn)
    }

    /// `auth.resetPassword`: `newPassword` already passed the password rule. Consumes the reset,
    /// sets the new hash and ends every session of the user.
    public func resetPassword(token: String, newPassword: String) async throws(DomainError) -> Outcome<Void> {
        let hash = TokenHash(token: token)
        guard let reset = state.reset(token: hash), !reset.isExpired(at: .now()), state.user(reset.userID) != nil else {
            throw .invalidResetToken
        }
        let newHash = try await passwords.hash(newPassword)
        // The actor was free while hashing: the link may have been used, replaced or expired meanwhile.
        let now = Timestamp.now()
        guard let current = state.reset(token: hash), !current.isExpired(at: now), var user = state.user(current.userID) else {
            throw .invalidResetToken
        }
        user.passwordHash = newHash
        user.updatedAt = now
        let sessions = state.sessions(of: user.id)
        user.lsn = try journal.append("password.reset", at: now, [user.put, current.delete] + sessions.map(\.delete))
        state.put(user)
        state.removeReset(of: user.id)
        for session in sessions { state.removeSession(session.tokenHash) }
        // Whoever was locked out by failed guesses has just proven control of the mailbox.
        throttle.succeeded(user.email)
        return Outcome((), fence: user.lsn)
    }

    /// `users.changePassword`: the params already passed `PasswordChange.validateChange`. Ends
    /// the user's other sessions and pending reset; the calling session stays.
    public func changePassword(_ sessionToken: String, currentPassword: String, newPassword: String) async throws(DomainError) -> Outcome<Void> {
        let (user, session) = try signedInUser(sessionToken, now: .now())
        guard try await passwords.verify(currentPassword, against: user.passwordHash) else {
            throw .currentPasswordIncorrect
        }
        let newHash = try await passwords.hash(newPassword)
        // The actor was free while hashing: the session may have ended, or the password changed.
        let now = Timestamp.now()
        guard let stillLive = state.session(session.tokenHash), !stillLive.isExpired(at: now),
              var current = state.user(user.id)
        else { throw .invalidSession }
        guard current.passwordHash == user.passwordHash else { throw .currentPasswordIncorrect }
        current.passwordHash = newHash
        current.updatedAt = now
        let others = state.sessions(of: current.id).filter { $0.tokenHash != session.tokenHash }
        let reset = state.reset(of: current.id)
        current.lsn = try journal.append(
            "password.changed", at: now, [current.put] + others.map(\.delete) + (reset.map { [$0.delete] } ?? []))
        state.put(current)
        for other in others { state.removeSession(other.tokenHash) }
        state.removeReset(of: current.id)
        return Outcome((), fence: current.lsn)
    }
}
