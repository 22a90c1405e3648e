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
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let windowMilliseconds: Int64
    /// Bound on distinct emails tracked (SPEC §5.5); beyond it the least recently failed go first.
    public let maxTracked: Int

    /// Per email, the times of recent failures, oldest first, at most `maxFailures`.
    private var failures: [String: [Timestamp]] = [:]

    public init(maxFailures: Int = 5, windowSeconds: Int64 = 15 * 60, maxTracked: Int = 100_000) {
        self.maxFailures = maxFailures
        self.windowMilliseconds = windowSeconds * 1000
        self.maxTracked = maxTracked
    }

    /// Number of emails with failures on record.
    public var trackedCount: Int { failures.count }

    /// Whole seconds until `key` may try again, or nil when it may try now.
    public func retryAfter(_ key: String, at now: Timestamp) -> Int? {
        guard let times = failures[key] else { return nil }
        let recent = times.filter { now.milliseconds - $0.milliseconds < windowMilliseconds }
        guard recent.count >= maxFailures else { return nil }
        let freeAt = recent[recent.count - maxFailures].milliseconds + windowMilliseconds
        return Int((freeAt - now.milliseconds + 999) / 1000)
    }

    /// Starts an attempt: throws 429 when `key` is throttled, else counts the attempt as a failure
    /// until `succeeded` (or `abandon`) is called for it.
    public mutating func begin(_ key: String, at now: Timestamp) throws(DomainError) {
        if let seconds = retryAfter(key, at: now) { throw DomainError.tooManyLoginAttempts(retryAfter: seconds) }
        if failures[key] == nil && failures.count >= maxTracked { makeRoom(at: now) }
        var times = failures[key, default: []].filter { now.milliseconds - $0.milliseconds < windowMilliseconds }
        times.append(now)
        failures[key] = Array(times.suffix(maxFailures))
    }

    /// An attempt was right: the email's failure history is wiped.
    public mutating func succeeded(_ key: String) {
        failures[key] = nil
    }

    /// The attempt begun at `time` could not be judged (e.g. hashing unavailable): it does not count.
    public mutating func abandon(_ key: String, begunAt time: Timestamp) {
        guard var times = failures[key], let index = times.lastIndex(of: time) else { return }
        times.remove(at: index)
        failures[key] = times.isEmpty ? nil : times
    }

    /// Forgets failures that have left the window (the periodic sweep).
    public mutating func prune(at now: Timestamp) {
        failures = failures.compactMapValues { times in
            let recent = times.filter { now.milliseconds - $0.milliseconds < windowMilliseconds }
            return recent.isEmpty ? nil : recent
        }
    }

    private mutating func makeRoom(at now: Timestamp) {
        prune(at: now)
        if failures.count >= maxTracked, let stalest = failures.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key {
            failures[stalest] = nil
        }
    }
}
