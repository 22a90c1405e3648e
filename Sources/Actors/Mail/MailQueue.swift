/// The mailer's delivery state as a plain value: which outbox entries are waiting, when each may
/// be tried next, and whether the relay is failing. The mailer actor owns one and performs what
/// it decides; tests drive it with their own instants.
///
/// Two kinds of failure are told apart. A relay-level failure (cannot connect, TLS, login, a
/// temporary 4xx) says nothing about the message, so the whole queue waits out the relay's
/// backoff and the oldest message goes first when it ends. A message-level failure (the relay
/// answered 5xx for this message) backs off that message alone; the others keep flowing.
/// Nothing is ever dropped: a relay outage delays mail, never loses it (SPEC §6.6).
public struct MailQueue: Sendable {
    public typealias Instant = ContinuousClock.Instant

    struct Item: Sendable {
        var entry: OutboxEntry
        var failures = 0
        var notBefore: Instant
    }

    public enum Failure: Sendable, Equatable {
        case relay
        case message
    }

    /// After this many failed attempts in a row, `system.health` reports mail as failing.
    public static let failingAfter = 3

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
    public var isFailing: Bool { consecutiveFailures >= Self.failingAfter }

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

    /// An attempt at `id` failed; returns how long until the next attempt it affects.
    @discardableResult
    public mutating func failed(_ id: ID, _ failure: Failure, now: Instant, jitter: Double) -> Duration {
        consecutiveFailures += 1
        switch failure {
        case .relay:
            relayFailures += 1
            let delay = backoff.delay(afterFailures: relayFailures, jitter: jitter)
            relayNotBefore = now + delay
            return delay
        case .message:
            // The relay answered, so it is up; only this message waits.
            relayFailures = 0
            relayNotBefore = nil
            guard let index = items.firstIndex(where: { $0.entry.id == id }) else { return .zero }
            items[index].failures += 1
            let delay = backoff.delay(afterFailures: items[index].failures, jitter: jitter)
            items[index].notBefore = now + delay
            return delay
        }
    }
}
