import Persistence
import Synchronization

/// The mail limits of a running pmd (`MailQuota` under a lock), shared by the identity actor
/// (reset mail) and the tenant actors (invitations). A lock rather than an actor: the check and
/// the count happen inside the caller's actor turn, right before it appends the mail's record,
/// so two concurrent requests can never both take the last slot.
public final class MailLimiter: Sendable {
    public enum Decision: Sendable {
        /// Counted: put `send.put` in the mail's record, or `release` it if that record fails.
        case granted(MailSend)
        case refused(retryAfter: Int)
    }

    /// Most rows one sweep record deletes; the caller sweeps again while a sweep comes back full.
    public static let sweepBatch = 1000

    private let quota: Mutex<MailQuota>
    private let journal: Journal

    /// - Parameter sends: the `mail_quota` table as found at start (`MailSend.loadAll`).
    public init(sends: [MailSend], journal: Journal, limits: MailLimits = .standard) {
        quota = Mutex(MailQuota(limits: limits, sends: sends))
        self.journal = journal
    }

    public func reserve(_ scopes: [MailScope], mail: ID, at now: Timestamp) -> Decision {
        quota.withLock { quota in
            if let seconds = quota.retryAfter(scopes, at: now) { return .refused(retryAfter: seconds) }
            let send = MailSend(mailID: mail, sentAt: now, scopes: scopes)
            quota.count(send)
            return .granted(send)
        }
    }

    public func release(_ send: MailSend) { quota.withLock { $0.forget(send.mailID) } }

    /// A standby's copy of a send the primary counted (`ReplicaApplier`).
    func adopt(_ send: MailSend) { quota.withLock { $0.count(send) } }

    /// A standby's copy of a row the primary swept.
    func forget(_ mail: ID) { quota.withLock { $0.forget(mail) } }

    public var count: Int { quota.withLock { $0.count } }

    /// Deletes up to `sweepBatch` rows that have aged out of every window, in one WAL record.
    /// Returns how many it deleted.
    @discardableResult
    public func sweep(now: Timestamp = .now()) -> Int {
        let aged = quota.withLock { $0.agedOut(at: now, limit: Self.sweepBatch) }
        guard !aged.isEmpty else { return 0 }
        // Aged-out rows no longer count, so forgetting them before the record is durable (or
        // when it fails) changes no decision.
        quota.withLock { quota in for send in aged { quota.forget(send.mailID) } }
        _ = try? journal.append("mail.quota.sweep", at: now, aged.map(\.delete))
        return aged.count
    }
}
