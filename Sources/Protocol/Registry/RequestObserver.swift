/// Told about every dispatched request, for metrics. `outcome` is "ok" or the error's
/// `data.kind` (e.g. "validation_failed"); unknown methods are reported as method "unknown" so
/// a client cannot create unbounded metric labels.
public protocol RequestObserver: Sendable {
    func observe(method: String, outcome: String, duration: Duration)
    /// What observes one registered method's calls, asked once per method when the registry is
    /// built, so that a request costs no lookup by name (that lookup, hashing the method's name,
    /// was half of the metrics' cost per request). nil: `observe(method:…)` is told instead.
    func observer(for method: String) -> (any MethodObserver)?
}

/// Told about the calls of one method (see `RequestObserver.observer(for:)`).
public protocol MethodObserver: Sendable {
    func observe(outcome: String, duration: Duration)
}

extension RequestObserver {
    public func observer(for method: String) -> (any MethodObserver)? { nil }
}
