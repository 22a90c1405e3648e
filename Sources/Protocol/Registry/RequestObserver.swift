/// Told about every dispatched request, for metrics. `outcome` is "ok" or the error's
/// `data.kind` (e.g. "validation_failed"); unknown methods are reported as method "unknown" so
/// a client cannot create unbounded metric labels.
public protocol RequestObserver: Sendable {
    func observe(method: String, outcome: String, duration: Duration)
}
