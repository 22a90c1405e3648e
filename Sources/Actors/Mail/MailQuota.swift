/// The sliding windows of `MailLimits` as a plain value: which mails count against which scope,
/// whether one more may go now, and which have aged out of every window. The clock is passed in,
/// so tests drive time directly; `MailLimiter` owns one for a running pmd.
public struct MailQuota: Sendable {
    public let limits: MailLimits
    private var sends: [ID: MailSend] = [:]
    /// Per scope, the times of the mails counted against it, oldest first.
    private var times: [MailScope: [Timestamp]] = [:]

    public init(limits: MailLimits = .standard, sends: [MailSend] = []) {
        self.limits = limits
        for send in sends.sorted(by: { $0.sentAt < $1.sentAt }) { count(send) }
    }

    /// Mails currently held (rows in the table, until swept).
    public var count: Int { sends.count }

    /// Whole seconds until a mail counted against all of `scopes` may go, or nil when it may go
    /// now: when several are full, the one that frees up last decides.
    public func retryAfter(_ scopes: [MailScope], at now: Timestamp) -> Int? {
        var wait: Int64?
        for scope in scopes {
            let limit = limits.limit(for: scope)
            let windowMs = limit.windowSeconds * 1000
            let recent = (times[scope] ?? []).filter { now.milliseconds - $0.milliseconds < windowMs }
            guard recent.count >= limit.count else { continue }
            let freeAt = recent[recent.count - limit.count].milliseconds + windowMs
            wait = max(wait ?? 0, freeAt - now.milliseconds)
        }
        return wait.map { max(1, Int(($0 + 999) / 1000)) }
    }

    /// Counts a mail against its scopes.
    public mutating func count(_ send: MailSend) {
        guard sends.updateValue(send, forKey: send.mailID) == nil else { return }
        for scope in send.scopes {
            var list = times[scope, default: []]
            let index = list.lastIndex { $0 <= send.sentAt }.map { $0 + 1 } ?? 0
            list.insert(send.sentAt, at: index)
            times[scope] = list
        }
    }

    /// Takes a mail back (its record was never written).
    public mutating func forget(_ mailID: ID) {
        guard let send = sends.removeValue(forKey: mailID) else { return }
        for scope in send.scopes {
            guard var list = times[scope], let index = list.firstIndex(of: send.sentAt) else { continue }
            list.remove(at: index)
            times[scope] = list.isEmpty ? nil : list
        }
    }

    /// Mails older than every window at `now`, oldest first, at most `limit`: what a sweep deletes.
    public func agedOut(at now: Timestamp, limit: Int) -> [MailSend] {
        let cutoff = now.milliseconds - limits.longestWindowSeconds * 1000
        return Array(sends.values.filter { $0.sentAt.milliseconds <= cutoff }.sorted { $0.sentAt < $1.sentAt }.prefix(limit))
    }
}
