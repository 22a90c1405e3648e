/// One condition of a transaction; every one must hold for the success branch to run.
enum EtcdCompare: Sendable {
    /// `equals: 0` means "the key does not exist": the create-if-absent of leader election.
    case createRevision(key: String, equals: Int64)
    case modRevision(key: String, equals: Int64)
    case value(key: String, equals: [UInt8])
    case version(key: String, equals: Int64)
}

/// One operation of a transaction branch.
enum EtcdOperation: Sendable {
    case put(key: String, value: [UInt8], lease: Int64?)
    case delete(key: String)
    case get(key: String)
}

/// What a transaction did.
struct EtcdTxnResult: Sendable {
    /// Whether the compares held and the success branch ran (else the failure branch ran).
    var succeeded: Bool
    /// The store's revision after the transaction.
    var revision: Int64
    /// One entry per `.get` in the branch that ran, in order: the key's value, or none.
    var gets: [[EtcdKeyValue]]
}
