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
    /// Per method: its success counter, latency timer and error counters by kind, made once so
    /// a request costs one lookup.
    private final class MethodMetrics: MethodObserver {
        let method: String
        let ok: CoreMetrics.Counter
        let latency: Metrics.Timer
        let failures = Mutex<[String: CoreMetrics.Counter]>([:])

        init(_ method: String) {
            self.method = method
            ok = CoreMetrics.Counter(label: "pmd_requests_total", dimensions: [("method", method), ("outcome", "ok")])
            latency = Metrics.Timer(label: "pmd_request_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
        }

        func observe(outcome: String, duration: Duration) {
            if outcome == "ok" { ok.increment() } else { failed(outcome) }
            latency.recordNanoseconds(duration.nanoseconds)
        }

        func failed(_ outcome: String) {
            failures.withLock { counters in
                if let counter = counters[outcome] { return counter }
                let counter = CoreMetrics.Counter(label: "pmd_requests_total", dimensions: [("method", method), ("outcome", outcome)])
                counters[outcome] = counter
                return counter
            }.increment()
        }
    }

    private let methods = Mutex<[String: MethodMetrics]>([:])
    private let commitBatch: CoreMetrics.Recorder
    private let commitDuration: Metrics.Timer
    private let walLSN: CoreMetrics.Gauge
    private let connections: CoreMetrics.Gauge
    private let httpConnections: CoreMetrics.Gauge
    private let connectionEvents: [(label: String, count: KeyPath<ConnectionCounts, Int> & Sendable, gauge: CoreMetrics.Gauge)]
    private let users: CoreMetrics.Gauge
    private let sessions: CoreMetrics.Gauge
    private let tenants: CoreMetrics.Gauge
    private let mailQueued: CoreMetrics.Gauge
    private let mailDead: CoreMetrics.Gauge

    init() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        commitBatch = CoreMetrics.Recorder(label: "pmd_commit_batch_size", aggregate: true)
        commitDuration = Metrics.Timer(label: "pmd_commit_duration_seconds", preferredDisplayUnit: .seconds)
        walLSN = CoreMetrics.Gauge(label: "pmd_wal_durable_lsn")
        connections = CoreMetrics.Gauge(label: "pmd_connections")
        httpConnections = CoreMetrics.Gauge(label: "pmd_http_connections")
        // Totals since start, read from the listener at scrape time (so gauges holding counts).
        let events: [(String, KeyPath<ConnectionCounts, Int> & Sendable)] = [
            ("accepted", \.accepted), ("refused", \.refused), ("idle_closed", \.idleClosed), ("accept_error", \.acceptErrors),
        ]
        connectionEvents = events.map { ($0.0, $0.1, CoreMetrics.Gauge(label: "pmd_connection_events_total", dimensions: [("event", $0.0)])) }
        users = CoreMetrics.Gauge(label: "pmd_users")
        sessions = CoreMetrics.Gauge(label: "pmd_sessions")
        tenants = CoreMetrics.Gauge(label: "pmd_tenants")
        mailQueued = CoreMetrics.Gauge(label: "pmd_mail_queued")
        mailDead = CoreMetrics.Gauge(label: "pmd_mail_dead_letters")
    }

    func observe(method: String, outcome: String, duration: Duration) {
        metrics(for: method).observe(outcome: outcome, duration: duration)
    }

    func observer(for method: String) -> (any MethodObserver)? { metrics(for: method) }

    private func metrics(for method: String) -> MethodMetrics {
        methods.withLock { methods in
            if let metrics = methods[method] { return metrics }
            let metrics = MethodMetrics(method)
            methods[method] = metrics
            return metrics
        }
    }

    func commit(_ report: WriteAheadLog.CommitReport) {
        commitBatch.record(report.records)
        commitDuration.recordNanoseconds(Int64(report.seconds * 1e9))
        walLSN.record(Double(report.lastLSN))
    }

    /// Gauges that are read at scrape time rather than kept up to date on every request.
    func refresh(runtime: Runtime) async {
        let counts = runtime.server?.connectionCounts ?? ConnectionCounts()
        connections.record(counts.open)
        for event in connectionEvents { event.gauge.record(counts[keyPath: event.count]) }
        httpConnections.record(runtime.httpConnections.load(ordering: .relaxed))
        users.record(await runtime.identity.userCount)
        sessions.record(await runtime.identity.sessionCount)
        tenants.record(runtime.directory.tenantCount)
        let mail = runtime.mail()
        mailQueued.record(mail.queued)
        mailDead.record(mail.dead)
        if let cluster = runtime.cluster { refreshCluster(cluster) }
    }

    /// Cluster mode (SPEC §10): the role (1 for this node's, 0 for the others), the term, what
    /// the cluster acknowledged, and each attached standby's lag in records.
    private func refreshCluster(_ cluster: ClusterContext) {
        let view = cluster.role.current
        for role in [RoleState.Role.primary, .standby, .candidate] {
            CoreMetrics.Gauge(label: "pmd_cluster_role", dimensions: [("role", role.rawValue)]).record(view.role == role ? 1 : 0)
        }
        CoreMetrics.Gauge(label: "pmd_cluster_term").record(Double(view.term))
        CoreMetrics.Gauge(label: "pmd_replication_acknowledged_lsn").record(Double(cluster.wal.durableLSN))
        let last = cluster.wal.lastAssignedLSN
        for standby in cluster.hub.standbys {
            let lag = standby.attached && last > standby.durable ? last - standby.durable : 0
            CoreMetrics.Gauge(label: "pmd_replication_lag_records", dimensions: [("standby", standby.node)]).record(Double(lag))
            CoreMetrics.Gauge(label: "pmd_replication_standby_attached", dimensions: [("standby", standby.node)]).record(standby.attached ? 1 : 0)
        }
    }

    func render() -> String { registry.emitToString() }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
