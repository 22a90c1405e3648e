/// Where cluster mode keeps its state in etcd: everything under `/pmd/<cluster>/` (SPEC §10).
struct ClusterKeys: Sendable {
    let prefix: String

    init(cluster: String) { prefix = "/pmd/\(cluster)/" }

    /// The primary's key, attached to its lease: `LeaderRecord`.
    var leader: String { prefix + "leader" }
    /// The newest term any primary took (a decimal number); only grows, by compare-and-swap.
    var term: String { prefix + "term" }
    /// The synchronous standbys the primary counts (`SyncRecord`).
    var sync: String { prefix + "sync" }
    /// Each node's self-description (`NodeRecord`), attached to the node's own lease.
    var nodes: String { prefix + "nodes/" }
    func node(_ name: String) -> String { nodes + name }
}
