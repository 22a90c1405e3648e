/// Exponential backoff with jitter for retrying mail delivery: the n-th consecutive failure waits
/// `min(cap, base · 2^(n-1))`, scaled by a jitter factor in 0.5...1 so that many messages (or
/// many pmd processes behind one relay) do not retry in lockstep, while no retry comes sooner
/// than half the nominal delay.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// 1 s, 2 s, 4 s … up to 5 minutes: a relay that comes back is used within seconds after a
    /// short blip, and a long outage costs one attempt every few minutes.
    public static let mail = Backoff(base: .seconds(1), cap: .seconds(300))

    public static let jitterRange: ClosedRange<Double> = 0.5...1.0

    /// The wait after `failures` consecutive failures (1 for the first); `jitter` is clamped to
    /// `jitterRange` (callers pass `Double.random(in: Backoff.jitterRange)`).
    public func delay(afterFailures failures: Int, jitter: Double) -> Duration {
        let exponent = min(max(failures, 1) - 1, 30)
        let nominal = min(cap, base * (1 << exponent))
        return nominal * min(max(jitter, Self.jitterRange.lowerBound), Self.jitterRange.upperBound)
    }
}
