import Persistence

/// How a primary answers a standby that asks to stream (SPEC §10): from where, after cutting
/// what, or from a fresh copy.
enum StreamPlan: Equatable, Sendable {
    /// Records from `from` on.
    case stream(from: LSN)
    /// The standby's log parted from this one after `after`: it discards the rest and asks again.
    case truncate(after: LSN)
    /// The standby needs a consistent copy first (a new node, another origin, or records this log
    /// no longer holds).
    case snapshot

    struct Log: Sendable {
        var origin: [UInt8]
        var last: LSN
        var history: TermHistory
        /// The oldest record still retained, nil when the log holds none.
        var oldestRetained: LSN?
    }

    static func decide(primary: Log, standby: Log) -> StreamPlan {
        guard standby.last > 0, standby.origin == primary.origin else { return .snapshot }
        let common = standby.history.commonPrefix(lastLSN: standby.last, with: primary.history, otherLast: primary.last)
        if common < standby.last { return .truncate(after: common) }
        let next = standby.last + 1
        if next <= primary.last {
            guard let oldest = primary.oldestRetained, oldest <= next else { return .snapshot }
        }
        return .stream(from: next)
    }
}
