import Actors
import Logging
import NIOPosix
import Persistence
import Protocol
import Synchronization

/// What the cluster's parts share on one node: the store and log, the node's role, the primary's
/// replication hub, and a thread pool for the blocking work replication does (reading old
/// records, copying the store for a snapshot, hashing it for `system.digest`).
final class ClusterContext: Sendable {
    final class Identity: Sendable {
        init(
            cluster: String, node: String, address: String, requiredStandbys: Int, leaderTTL: Duration, rpcKey: String?,
            tls: ClientTLS?
        ) {
            self.cluster = cluster
            self.node = node
            advertised = Mutex(address)
            self.requiredStandbys = requiredStandbys
            self.leaderTTL = leaderTTL
            self.rpcKey = rpcKey
            self.tls = tls
        }

        let cluster: String
        let node: String
        /// Where other nodes and clients reach this node's JSON-RPC listener: `PMD_ADVERTISE_ADDR`,
        /// else the listener's address once it is bound.
        var address: String { advertised.withLock { $0 } }
        let advertised: Mutex<String>
        let requiredStandbys: Int
        let leaderTTL: Duration
        let rpcKey: String?
        /// TLS to the other nodes when this node's listeners speak it (`NodeTLS.peer`).
        let tls: ClientTLS?
    }

    let me: Identity
    let store: Store
    let wal: WriteAheadLog
    let role: RoleState
    let hub: ReplicationHub
    let io: NIOThreadPool
    let logger: Logger

    init(me: Identity, store: Store, wal: WriteAheadLog, role: RoleState, logger: Logger) {
        self.me = me
        self.store = store
        self.wal = wal
        self.role = role
        self.logger = logger
        hub = ReplicationHub(wal: wal, required: me.requiredStandbys, acknowledged: wal.localDurableLSN) { role.serving }
        io = NIOThreadPool(numberOfThreads: 2)
        io.start()
    }

    /// This node's log as a rejoining standby or the primary sees it (`StreamPlan`).
    func logView() throws -> StreamPlan.Log {
        StreamPlan.Log(
            origin: try store.origin(), last: wal.lastAssignedLSN, history: try store.termHistory(),
            oldestRetained: try store.firstRetainedLSN())
    }

    /// How far this node's log goes (`ElectionRule`).
    var position: LogPosition { LogPosition(term: wal.lastTerm, lsn: wal.localDurableLSN) }
}
