/// When a Stripe request is tried again, and after how long (Stripe's advice: retry network
/// errors, 409 idempotency conflicts, 429 and 5xx with exponential backoff, always with the same
/// `Idempotency-Key`, and obey `Stripe-Should-Retry` when Stripe sends it).
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var backoff: Backoff

    public init(maxAttempts: Int, backoff: Backoff) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }

    /// 4 attempts, waiting about 0.5 s, 1 s and 2 s (jittered to 50–100 %): a blip heals
    /// within a request's patience, an outage fails in under four seconds instead of holding
    /// the caller, and the next call (or the reconciliation) tries again.
    public static let stripe = RetryPolicy(maxAttempts: 4, backoff: Backoff(base: .milliseconds(500), cap: .seconds(8)))

    /// What a finished attempt says about retrying.
    public enum Attempt: Sendable, Equatable {
        /// No HTTP answer (connection refused, reset, timeout). `transient` is false for
        /// failures a retry cannot cure (a malformed URL, an untrusted certificate).
        case transportFailure(transient: Bool)
        /// An HTTP answer; `shouldRetry` is Stripe's `Stripe-Should-Retry` header, if sent;
        /// `retryAfterSeconds` its `Retry-After`.
        case response(status: Int, shouldRetry: Bool?, retryAfterSeconds: Int?)
    }

    /// The wait before attempt `attempt + 1`, or nil to stop after attempt `attempt` (1-based).
    public func delay(after attempt: Int, _ outcome: Attempt, jitter: Double) -> Duration? {
        guard attempt < maxAttempts, Self.isRetryable(outcome) else { return nil }
        let wait = backoff.delay(afterFailures: attempt, jitter: jitter)
        if case let .response(_, _, retryAfter?) = outcome {
            // Honour a longer Retry-After, but never beyond the cap: the caller is waiting.
            return min(max(wait, .seconds(retryAfter)), backoff.cap)
        }
        return wait
    }

    public static func isRetryable(_ outcome: Attempt) -> Bool {
        switch outcome {
        case let .transportFailure(transient):
            return transient
        case let .response(status, shouldRetry, _):
            if let shouldRetry { return shouldRetry }
            return status == 409 || status == 429 || status >= 500
        }
    }
}
