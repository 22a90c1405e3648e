/// The primary's side of its etcd lease (SPEC §10): etcd counts the TTL from when it received a
/// renewal, which is after the primary sent it, so the lease cannot expire before
/// `sent + ttl`. The primary serves only until `sent + ttl − margin`, on its own clock; the margin
/// absorbs clock-rate differences and the time it takes to stop. A new primary can only be
/// elected after the lease expired at etcd — by then this one has stopped.
struct LeaseClock: Sendable {
    let ttl: Duration
    let margin: Duration

    init(ttl: Duration) {
        self.ttl = ttl
        margin = max(.milliseconds(500), ttl / 6)
    }

    /// Renewals are sent this often: three chances before the margin is reached.
    var renewEvery: Duration { (ttl - margin) / 3 }

    /// Until when a primary whose last successful renewal was sent at `sent` may serve.
    func serveUntil(renewalSentAt sent: ContinuousClock.Instant) -> ContinuousClock.Instant {
        sent + ttl - margin
    }
}
