import Persistence

/// Forgotten passwords, resets and changes (SPEC §6.2). Each request is one WAL record: the new
/// hash, the tokens it consumes, the sessions it ends and the mail it sends commit together.
extension Identity {
    /// `auth.forgotPassword` for an already validated, normalised email. Answers the same for
    /// known and unknown addresses, and does the same work for both — a fresh token, the mail,
    /// one WAL record and a wait for its commit — so neither the answer nor its timing tells
    /// whether an account exists. Only for a known user does the record carry rows: the token
    /// (replacing any earlier one, so each user has at most one live link) and the mail.
    public func forgotPassword(email: String) throws(DomainError) -> Outcome<Void> {
        let now = Timestamp.now()
        let secret = SecretToken.generate()
        let mail = PasswordResetMail.compose(
            to: email, appURL: settings.appURL, token: secret.token, validForSeconds: settings.resetTTL)
        let entry = OutboxEntry(createdAt: now, mail: mail)
        guard let user = state.user(email: email) else {
            // An empty record: the unknown address costs the same commit wait as a known one.
            let lsn = try journal.append("password.reset.requested", at: now, [])
            return Outcome((), fence: lsn)
        }
        let token = ResetToken(
            tokenHash: TokenHash(digest: secret.hash), userID: user.id, createdAt: now,
            expiresAt: now.adding(seconds: settings.resetTTL))
        let replaced = state.resetTokens(of: user.id)
        let lsn = try journal.append("password.reset.requested", at: now, replaced.map(\.delete) + [token.put, entry.put])
        for old in replaced { state.removeResetToken(old.tokenHash) }
        state.put(token)
        mailer.committed(entry, lsn: lsn)
        return Outcome((), fence: lsn)
    }

    /// `auth.resetPassword`: `newPassword` already passed the password rule. Consumes the token,
    /// sets the new hash and ends every session of the user.
    public func resetPassword(token: String, newPassword: String) async throws(DomainError) -> Outcome<Void> {
        let hash = TokenHash(token: token)
        guard let reset = state.resetToken(hash), !reset.isExpired(at: .now()), state.user(reset.userID) != nil else {
            throw .invalidResetToken
        }
        let newHash = try await passwords.hash(newPassword)
        // The actor was free while hashing: the token may have been used (or expired) meanwhile.
        let now = Timestamp.now()
        guard let current = state.resetToken(hash), !current.isExpired(at: now), var user = state.user(current.userID) else {
            throw .invalidResetToken
        }
        user.passwordHash = newHash
        user.updatedAt = now
        let sessions = state.sessions(of: user.id)
        // Every outstanding link of the user dies with the one used.
        let tokens = state.resetTokens(of: user.id)
        user.lsn = try journal.append(
            "password.reset", at: now, [user.put] + tokens.map(\.delete) + sessions.map(\.delete))
        state.put(user)
        for old in tokens { state.removeResetToken(old.tokenHash) }
        for session in sessions { state.removeSession(session.tokenHash) }
        // Whoever was locked out by failed guesses has just proven control of the mailbox.
        throttle.succeeded(user.email)
        return Outcome((), fence: user.lsn)
    }

    /// `users.changePassword`: the params already passed `PasswordChange.validateChange`. Ends
    /// the user's other sessions and outstanding reset links; the calling session stays.
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
        let tokens = state.resetTokens(of: current.id)
        current.lsn = try journal.append(
            "password.changed", at: now, [current.put] + others.map(\.delete) + tokens.map(\.delete))
        state.put(current)
        for other in others { state.removeSession(other.tokenHash) }
        for old in tokens { state.removeResetToken(old.tokenHash) }
        return Outcome((), fence: current.lsn)
    }
}
