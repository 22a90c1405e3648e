/// The mailer's delivery state as a plain value: which outbox entries are waiting, when each may
/// be tried next, and whether the relay is failing. The mailer actor owns one and performs what
/// it decides; tests drive it with their own instants.
///
/// Two kinds of failure are told apart. A relay-level failure (cannot connect, TLS, login, a
/// temporary 4xx) says nothing about the message, so the whole queue waits out the relay's
/// backoff and the oldest message goes first when it ends. A message-level failure (the relay
/// answered 5xx for this message) backs off that message alone; the others keep flowing, and
/// after `deadAfter` of them the message leaves the queue as a dead letter, which the mailer
/// keeps in the outbox for an operator (`pmd mail`). A relay outage delays mail, never loses it
/// (SPEC §6.6); only the relay's own permanent refusals end the retries.
public struct MailQueue: Sendable {
    public typealias Instant = ContinuousClock.Instant

    struct Item: Sendable {
        var entry: OutboxEntry
        /// Message-level failures so far (relay-level ones say nothing about the message).
        var failures = 0
        var lastError: String?
        var notBefore: Instant
    }

    public enum Failure: Sendable, Equatable {
        case relay
        case message
    }

    /// What follows a failed attempt.
    public enum Verdict: Sendable, Equatable {
        /// Tried again after this long (the relay's backoff, or the message's own).
        case retry(after: Duration)
        /// Refused for good `attempts` times: out of the queue.
        case deadLetter(attempts: Int)
    }

    /// After this many failed attempts in a row, `system.health` reports mail as failing.
    public static let failingAfter = 3
    /// After this many permanent refusals (5xx) of one message, it becomes a dead letter: with
    /// backoff that is about 15 seconds of trying, enough to ride out a relay's misstep, short
    /// of hammering it with a message it will never take.
    public static let deadAfter = 5

    let backoff: Backoff
    /// In enqueue order: the oldest due message is delivered first.
    private var items: [Item] = []
    private var relayFailures = 0
    private var relayNotBefore: Instant?
    /// Failed attempts since the last delivery, of either kind.
    public private(set) var consecutiveFailures = 0

    public init(backoff: Backoff = .mail) { self.backoff = backoff }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    /// Mail is waiting and the last attempts failed. A message that became a dead letter no
    /// longer counts: with nothing else queued, nothing is failing to go out.
    public var isFailing: Bool { consecutiveFailures >= Self.failingAfter && !items.isEmpty }

    /// Message-level failures of a queued entry and the last reason, for `mail.list`.
    public func attempts(of id: ID) -> (failures: Int, lastError: String?)? {
        items.first { $0.entry.id == id }.map { ($0.failures, $0.lastError) }
    }

    /// Makes a queued entry due at once with its own backoff forgotten (an operator's retry).
    public mutating func retryNow(_ id: ID, now: Instant) {
        guard let index = items.firstIndex(where: { $0.entry.id == id }) else { return }
        items[index].failures = 0
        items[index].notBefore = now
    }

    /// Queues an entry, due at once. An id already queued is ignored, so a notification that
    /// races with the start-up load cannot double a mail.
    public mutating func add(_ entry: OutboxEntry, now: Instant) {
        guard !items.contains(where: { $0.entry.id == entry.id }) else { return }
        items.append(Item(entry: entry, notBefore: now))
    }

    /// The oldest entry that may be tried at `now`, if any.
    public func nextDue(at now: Instant) -> OutboxEntry? {
        if let relayNotBefore, now < relayNotBefore { return nil }
        return items.first { $0.notBefore <= now }?.entry
    }

    /// When something may next become due; nil when the queue is empty.
    public var nextWake: Instant? {
        guard let earliest = items.map(\.notBefore).min() else { return nil }
        guard let relayNotBefore else { return earliest }
        return max(earliest, relayNotBefore)
    }

    /// The relay accepted `id`: it leaves the queue and the relay counts as healthy again.
    public mutating func delivered(_ id: ID) {
        items.removeAll { $0.entry.id == id }
        relayFailures = 0
        relayNotBefore = nil
        consecutiveFailures = 0
    }

    /// `id` leaves the queue without an attempt telling anything about the relay (its link is
    /// obsolete, or an operator dropped it).
    public mutating func remove(_ id: ID) {
        items.removeAll { $0.entry.id == id }
    }

    /// An attempt at `id` failed (`reason` for `mail.list`): when it is tried next, or that it
    /// is now a dead letter.
    @discardableResult
    public mutating func failed(_ id: ID, _ failure: Failure, reason: String = "", now: Instant, jitter: Double) -> Verdict {
        consecutiveFailures += 1
        let index = items.firstIndex { $0.entry.id == id }
        if let index { items[index].lastError = reason }
        switch failure {
        case .relay:
            relayFailures += 1
            let delay = backoff.delay(afterFailures: relayFailures, jitter: jitter)
            relayNotBefore = now + delay
            return .retry(after: delay)
        case .message:
            // The relay answered, so it is up; only this message waits.
            relayFailures = 0
            relayNotBefore = nil
            guard let index else { return .retry(after: .zero) }
            items[index].failures += 1
            let failures = items[index].failures
            if failures >= Self.deadAfter {
                items.remove(at: index)
                return .deadLetter(attempts: failures)
            }
            let delay = backoff.delay(afterFailures: failures, jitter: jitter)
            items[index].notBefore = now + delay
            return .retry(after: delay)
        }
    }
}
