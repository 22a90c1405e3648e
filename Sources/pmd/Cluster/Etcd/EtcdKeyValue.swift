/// A key as etcd stores it, with the revisions compare-and-swap and watches are built on.
struct EtcdKeyValue: Sendable, Equatable {
    var key: String
    var value: [UInt8]
    /// Revision of the put that created this key (0 in a compare: the key does not exist).
    var createRevision: Int64
    /// Revision of the last put to this key.
    var modRevision: Int64
    /// Puts since creation (1 after the first).
    var version: Int64
    /// The lease the key is attached to, 0 for none.
    var lease: Int64
}
