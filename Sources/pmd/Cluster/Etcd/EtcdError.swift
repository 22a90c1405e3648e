/// Why a call to etcd did not give an answer the caller can use.
struct EtcdError: Error, CustomStringConvertible, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// No endpoint answered in time (connection refused, reset or timed out on every one).
        /// The request may still have been applied by an endpoint that timed out.
        case unreachable
        /// An answer that is not what etcd's JSON gateway sends.
        case badAnswer
        /// etcd refused the request; `code` is its gRPC status code (5 not found, 14 unavailable…).
        case server(code: Int)
        /// A watch's start revision has been compacted away: re-read, then watch from the read's
        /// revision + 1.
        case compacted(revision: Int64)
    }

    var kind: Kind
    /// etcd's message, or what went wrong in words.
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var description: String {
        switch kind {
        case .unreachable: "etcd unreachable: \(message)"
        case .badAnswer: "unexpected answer from etcd: \(message)"
        case .server(let code): "etcd error \(code): \(message)"
        case .compacted(let revision): "etcd watch: revision compacted (oldest kept \(revision)): \(message)"
        }
    }

    /// gRPC's NOT_FOUND, e.g. "etcdserver: requested lease not found".
    static let notFoundCode = 5
    /// gRPC's UNAVAILABLE: "no leader", "leader changed", "request timed out" — this member cannot
    /// serve now; another may.
    static let unavailableCode = 14
}
