import Actors
import CoreMetrics
import Metrics
import Persistence
import Prometheus
import Protocol
import Synchronization

/// swift-metrics backed by swift-prometheus: what `GET /metrics` serves (SPEC §7).
final class PMDMetrics: RequestObserver, Sendable {
    let registry = PrometheusCollectorRegistry()
    private let requestCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let latency = Mutex<[String: Metrics.Timer]>([:])
    private let commitBatch: CoreMetrics.Recorder
    private let commitDuration: Metrics.Timer
    private let walLSN: CoreMetrics.Gauge
    private let connections: CoreMetrics.Gauge
    private let users: CoreMetrics.Gauge
    private let sessions: CoreMetrics.Gauge
    private let tenants: CoreMetrics.Gauge

    init() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        commitBatch = CoreMetrics.Recorder(label: "pmd_commit_batch_size", aggregate: true)
        commitDuration = Metrics.Timer(label: "pmd_commit_duration_seconds", preferredDisplayUnit: .seconds)
        walLSN = CoreMetrics.Gauge(label: "pmd_wal_durable_lsn")
        connections = CoreMetrics.Gauge(label: "pmd_connections")
        users = CoreMetrics.Gauge(label: "pmd_users")
        sessions = CoreMetrics.Gauge(label: "pmd_sessions")
        tenants = CoreMetrics.Gauge(label: "pmd_tenants")
    }

    func observe(method: String, outcome: String, duration: Duration) {
        let counter = requestCounters.withLock { counters in
            let key = method + "\u{0}" + outcome
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(label: "pmd_requests_total", dimensions: [("method", method), ("outcome", outcome)])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let timer = latency.withLock { timers in
            if let timer = timers[method] { return timer }
            let timer = Metrics.Timer(label: "pmd_request_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
            timers[method] = timer
            return timer
        }
        timer.recordNanoseconds(duration.nanoseconds)
    }

    func commit(_ report: WriteAheadLog.CommitReport) {
        commitBatch.record(report.records)
        commitDuration.recordNanoseconds(Int64(report.seconds * 1e9))
        walLSN.record(Double(report.lastLSN))
    }

    /// Gauges that are read at scrape time rather than kept up to date on every request.
    func refresh(runtime: Runtime) async {
        connections.record(runtime.server?.connectionCounts.open ?? 0)
        users.record(await runtime.identity.userCount)
        sessions.record(await runtime.identity.sessionCount)
        tenants.record(runtime.directory.tenantCount)
    }

    func render() -> String { registry.emitToString() }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
