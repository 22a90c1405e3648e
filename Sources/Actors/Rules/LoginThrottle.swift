import DequeModule

/// SPEC §6.2 login throttling: after `maxFailures` failed logins for one email within `window`,
/// further attempts for that email are refused (429) until the oldest of those failures leaves
/// the window — also with the right password, or throttling would just confirm the guess.
/// Other emails are unaffected.
///
/// A plain value with the clock passed in, so tests drive time directly. Every attempt counts as
/// a failure from the moment it starts (`begin`) until it is known to have succeeded
/// (`succeeded`), so concurrent guesses racing through the slow password check cannot get past
/// the limit. Keys are normalised emails, known or not: an unknown email is throttled exactly
/// like a known one, so a 429 reveals nothing about which accounts exist.
///
/// Kept in memory, deliberately: a durable counter would turn every failed guess from an
/// unauthenticated client into a WAL record and an fsync, letting anyone drive pmd's disk; a
/// restart (rare and operator-made, never caused by a client) resets at most 15 minutes of
/// history, so it does not help an attacker.
///
/// Bounded (SPEC §5.5), however many distinct emails are tried: at most `maxTracked` emails,
/// each with at most `maxFailures` times and a key of at most `maxKeyBytes` bytes, plus a queue
/// of at most `2 × maxTracked` entries that share the keys' storage. At the defaults, a full
/// table with five failures per email grew a process by 57 MB with 28-byte addresses and by
/// 105 MB with 248-byte ones (resident size, glibc malloc).
///
/// Cheap when full: every operation costs amortised O(1). A full table evicts the least
/// recently failed email from the front of the queue, never by scanning the table — scanning
/// it cost ~80 ms per new email at 100k emails, which stalled every connection served by the
/// identity actor's event loop.
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let windowMilliseconds: Int64
    /// Bound on distinct emails tracked (SPEC §5.5); beyond it the least recently failed go first.
    public let maxTracked: Int

    /// Longer keys are tracked by digest: no real account has one (emails are at most 254
    /// characters), and a request line may be 1 MiB, which `maxTracked` times over is no bound.
    static let maxKeyBytes = EmailRule.maxLength

    /// One email's recent failures.
    private struct Record {
        /// Oldest first, at most `maxFailures`; some may have left the window (reads filter them).
        var times: [Timestamp]
        /// Sequence number of this email's newest entry in `queue`; its older entries are stale.
        var sequence: UInt64
    }

    /// A failure as queued: the queue holds emails in the order they last failed, so its front
    /// is the least recently failed email.
    private struct Entry {
        var key: String
        var sequence: UInt64
        /// The email's newest failure, at the time this entry was queued.
        var newest: Timestamp
    }

    private var records: [String: Record] = [:]
    /// Every failure appends an entry; an email's earlier entries (and the entries of emails
    /// forgotten since) become stale and are dropped when they reach the front, or all at once
    /// by `compact` when stale ones could outnumber the live.
    private var queue = Deque<Entry>()
    private var nextSequence: UInt64 = 0
    /// Queue entries looked at by eviction, pruning and compaction, counted so that a test can
    /// hold the cost per attempt to a constant without timing anything.
    private(set) var entriesVisited = 0

    public init(maxFailures: Int = 5, windowSeconds: Int64 = 15 * 60, maxTracked: Int = 100_000) {
        self.maxFailures = maxFailures
        self.windowMilliseconds = windowSeconds * 1000
        self.maxTracked = max(maxTracked, 1)
    }

    /// Number of emails with failures on record.
    public var trackedCount: Int { records.count }

    /// Length of the queue, stale entries included (for the memory bound's tests).
    var queuedCount: Int { queue.count }

    /// Whole seconds until `key` may try again, or nil when it may try now.
    public func retryAfter(_ key: String, at now: Timestamp) -> Int? {
        retryAfter(stored: Self.storageKey(key), at: now)
    }

    private func retryAfter(stored key: String, at now: Timestamp) -> Int? {
        guard let times = records[key]?.times else { return nil }
        let recent = times.filter { inWindow($0, at: now) }
        guard recent.count >= maxFailures else { return nil }
        let freeAt = recent[recent.count - maxFailures].milliseconds + windowMilliseconds
        return Int((freeAt - now.milliseconds + 999) / 1000)
    }

    /// Starts an attempt: throws 429 when `key` is throttled, else counts the attempt as a failure
    /// until `succeeded` (or `abandon`) is called for it.
    public mutating func begin(_ key: String, at now: Timestamp) throws(DomainError) {
        let key = Self.storageKey(key)
        if let seconds = retryAfter(stored: key, at: now) { throw DomainError.tooManyLoginAttempts(retryAfter: seconds) }
        if records[key] == nil && records.count >= maxTracked { evictLeastRecentlyFailed() }
        var times = records[key]?.times.filter { inWindow($0, at: now) } ?? []
        times.append(now)
        if times.count > maxFailures { times.removeFirst(times.count - maxFailures) }
        let sequence = nextSequence
        nextSequence += 1
        records[key] = Record(times: times, sequence: sequence)
        // The newest time, not `now`: a wall clock stepped back must not make pruning forget
        // a failure that is still in the window.
        queue.append(Entry(key: key, sequence: sequence, newest: times.max() ?? now))
        if queue.count > 2 * maxTracked { compact() }
    }

    /// An attempt was right: the email's failure history is wiped.
    public mutating func succeeded(_ key: String) {
        records[Self.storageKey(key)] = nil
    }

    /// The attempt begun at `time` could not be judged (e.g. hashing unavailable): it does not count.
    public mutating func abandon(_ key: String, begunAt time: Timestamp) {
        let key = Self.storageKey(key)
        guard var record = records[key], let index = record.times.lastIndex(of: time) else { return }
        record.times.remove(at: index)
        records[key] = record.times.isEmpty ? nil : record
    }

    /// Forgets emails whose last failure has left the window (the periodic sweep). Only the
    /// queue's front is looked at: it holds the least recently failed emails, so the sweep stops
    /// at the first one still in the window.
    public mutating func prune(at now: Timestamp) {
        while let front = queue.first {
            entriesVisited += 1
            if isLive(front) {
                guard !inWindow(front.newest, at: now) else { return }
                records[front.key] = nil
            }
            queue.removeFirst()
        }
    }

    private func inWindow(_ time: Timestamp, at now: Timestamp) -> Bool {
        now.milliseconds - time.milliseconds < windowMilliseconds
    }

    /// Whether `entry` is its email's newest (so the email is tracked and failed last then).
    private func isLive(_ entry: Entry) -> Bool {
        records[entry.key]?.sequence == entry.sequence
    }

    /// Drops the email whose newest entry is nearest the front, with the stale entries before it.
    private mutating func evictLeastRecentlyFailed() {
        while let front = queue.popFirst() {
            entriesVisited += 1
            if isLive(front) {
                records[front.key] = nil
                return
            }
        }
    }

    /// Rebuilds the queue from its live entries, in order. Runs when the queue is twice the bound
    /// and leaves it at most at the bound, so at least `maxTracked` attempts pass between two
    /// runs: amortised O(1) per attempt.
    private mutating func compact() {
        entriesVisited += queue.count
        let records = self.records
        queue = Deque(queue.filter { records[$0.key]?.sequence == $0.sequence })
    }

    /// The key an email is tracked under: itself, or a digest when it is longer than any real
    /// address. The digest's form has no `@`, so it never collides with a real account's key.
    static func storageKey(_ key: String) -> String {
        guard key.utf8.count > maxKeyBytes else { return key }
        return "sha256:" + Hex.encode(Digest.sha256(key))
    }
}
