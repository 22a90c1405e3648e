import Persistence

/// What an operator can do with the outbox (`mail.list`, `mail.retry`, `mail.drop`; `pmd mail`):
/// see what is waiting and why, send a dead letter again once its cause is fixed, or give up on
/// a mail. Each change is a WAL record, like every other.
extension Mailer {
    public struct Listed: Sendable {
        public let entry: OutboxEntry
        /// Permanent refusals so far (for a dead letter, those that made it one).
        public let attempts: Int
        public let lastError: String?
    }

    /// Every undelivered mail, dead letters included, oldest first.
    public func list() -> [Listed] {
        outbox.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map { entry in
            if let dead = entry.deadLetter { return Listed(entry: entry, attempts: dead.attempts, lastError: dead.reason) }
            let tried = queue.attempts(of: entry.id)
            return Listed(entry: entry, attempts: tried?.failures ?? 0, lastError: tried?.lastError)
        }
    }

    /// Queues a dead letter again (a new series of attempts), or makes a queued mail due now.
    public func retry(_ id: ID) throws(DomainError) -> Outcome<OutboxEntry> {
        guard var entry = outbox[id] else { throw .mailNotFound }
        var fence: LSN = 0
        if entry.deadLetter != nil {
            entry.deadLetter = nil
            fence = try journal.append("mail.retried", at: .now(), [entry.put])
            outbox[id] = entry
            deadCount -= 1
            if transport != nil { queue.add(entry, now: clock.now) }
        }
        queue.retryNow(id, now: clock.now)
        publish()
        wake()
        return Outcome(entry, fence: fence)
    }

    /// Removes a mail from the outbox for good; its reset or invitation stays as it is.
    public func drop(_ id: ID) throws(DomainError) -> Outcome<Void> {
        guard let entry = outbox[id] else { throw .mailNotFound }
        let lsn = try journal.append("mail.dropped", at: .now(), [entry.delete])
        outbox[id] = nil
        if entry.deadLetter != nil { deadCount -= 1 }
        queue.remove(id)
        publish()
        logger.notice("mail dropped by an operator", metadata: ["mailId": "\(id)", "to": "\(entry.to)", "kind": "\(entry.content.kind)"])
        return Outcome((), fence: lsn)
    }
}
