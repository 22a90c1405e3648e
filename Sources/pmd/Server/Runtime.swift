import Actors
import Persistence
import Protocol
import Synchronization

/// What the system methods and the HTTP listener report on: the parts of a running pmd, some of
/// which (the registry, the listener) only exist after the methods have been built.
final class Runtime: Sendable {
    static let version = "0.1.0"

    let startedAt = ContinuousClock.now
    let store: Store
    let wal: WriteAheadLog
    let identity: Identity
    let directory: Directory
    /// The mailer's status and outbox counts; outbox-only and empty when none is wired (tests).
    let mail: @Sendable () -> Mailer.Report
    let stripeStatus: @Sendable () -> String
    /// Open connections of the HTTP listener (`HTTPConnectionCounter`).
    let httpConnections = Atomic<Int>(0)
    private let late = Mutex<(registry: MethodRegistry?, server: RPCServer?, cluster: ClusterContext?)>((nil, nil, nil))

    init(
        store: Store, wal: WriteAheadLog, identity: Identity, directory: Directory,
        mail: @escaping @Sendable () -> Mailer.Report = { Mailer.Report(status: .outboxOnly, queued: 0, dead: 0) },
        stripeStatus: @escaping @Sendable () -> String = { "disabled" }
    ) {
        self.store = store
        self.wal = wal
        self.identity = identity
        self.directory = directory
        self.mail = mail
        self.stripeStatus = stripeStatus
    }

    func attach(registry: MethodRegistry) { late.withLock { $0.registry = registry } }
    func attach(server: RPCServer) { late.withLock { $0.server = server } }
    var registry: MethodRegistry? { late.withLock { $0.registry } }
    var server: RPCServer? { late.withLock { $0.server } }
    func attach(cluster: ClusterContext?) { late.withLock { $0.cluster = cluster } }
    var cluster: ClusterContext? { late.withLock { $0.cluster } }

    var uptimeSeconds: Int { Int((ContinuousClock.now - startedAt).components.seconds) }

    /// `system.health`: `failing` once the WAL has stopped (fail-stop), `degraded` when a
    /// configured part (Stripe, the mail relay) is failing, else `ok`. A part that is simply not
    /// configured does not degrade the status (SPEC §4).
    static func overallStatus(walFailed: Bool, stripe: String, mail: String) -> String {
        if walFailed { return "failing" }
        if stripe == "failing" || mail == "failing" { return "degraded" }
        return "ok"
    }

    func health() -> JSON {
        let usage = store.usage()
        let stripe = stripeStatus()
        let mail = self.mail()
        var health: JSONObject = [
            "status": .string(Self.overallStatus(walFailed: wal.failure != nil, stripe: stripe, mail: mail.status.rawValue)),
            "version": .string(Self.version), "uptimeSeconds": JSON(uptimeSeconds),
            "walLsn": .number(JSONNumber(Int(wal.lastAssignedLSN))), "durableLsn": .number(JSONNumber(Int(wal.durableLSN))),
            "lmdb": ["mapSize": JSON(usage.mapSize), "used": JSON(usage.used)],
            "stripe": .string(stripe), "mail": .string(mail.status.rawValue),
            // pmd's addition: mail waiting, and dead letters waiting for an operator (`pmd mail`).
            "mailOutbox": ["queued": JSON(mail.queued), "dead": JSON(mail.dead)],
        ]
        if let cluster { health["cluster"] = Self.clusterHealth(cluster) }
        return .object(health)
    }

    /// `system.health.cluster` (SPEC §10), with the log's own position (`lastTerm`, `localLsn`),
    /// which candidates compare in an election.
    static func clusterHealth(_ cluster: ClusterContext) -> JSON {
        let view = cluster.role.current
        let last = cluster.wal.lastAssignedLSN
        let standbys: [JSON] = view.role == .primary
            ? cluster.hub.standbys.filter(\.attached).map { standby in
                [
                    "node": .string(standby.node), "addr": .string(standby.address), "durableLsn": JSON(Int(standby.durable)),
                    "lagRecords": JSON(Int(last > standby.durable ? last - standby.durable : 0)), "sync": .bool(standby.sync),
                ]
            }
            : []
        let position = cluster.position
        return [
            "name": .string(cluster.me.cluster), "node": .string(cluster.me.node), "role": .string(view.role.rawValue),
            "term": JSON(Int(view.term)), "primary": view.primary.map { .string($0) } ?? .null, "standbys": .array(standbys),
            "lastTerm": JSON(Int(position.term)), "durableLsn": JSON(Int(position.lsn)),
            "acknowledgedLsn": JSON(Int(cluster.wal.durableLSN)),
        ]
    }

    func stats() async -> JSON {
        let walStats = wal.stats()
        let connections = server?.connectionCounts ?? ConnectionCounts()
        var requests = JSONObject()
        for entry in registry?.counts() ?? [] where entry.calls > 0 {
            requests[entry.method] = ["calls": JSON(entry.calls), "errors": JSON(entry.failures)]
        }
        return [
            "connections": [
                "open": JSON(connections.open), "accepted": JSON(connections.accepted), "refused": JSON(connections.refused),
                "idleClosed": JSON(connections.idleClosed), "acceptErrors": JSON(connections.acceptErrors),
                "httpOpen": JSON(httpConnections.load(ordering: .relaxed)),
            ],
            "requests": .object(requests),
            "commits": [
                "batches": .number(JSONNumber(Int(walStats.batches))), "records": .number(JSONNumber(Int(walStats.records))),
                "meanBatchSize": .number(JSONNumber((walStats.meanBatchSize * 100).rounded() / 100) ?? 0),
            ],
            "tenants": JSON(directory.tenantCount),
            "users": JSON(await identity.userCount),
            "sessions": JSON(await identity.sessionCount),
        ]
    }
}
