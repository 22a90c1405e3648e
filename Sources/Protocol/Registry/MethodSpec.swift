import NIOCore

/// What a handler receives: the validated params and the caller's session token, if any.
public struct RPCCall: Sendable {
    public let method: String
    public let params: JSONObject
    public let session: String?
    public let connection: ConnectionInfo
}

/// A handler's success: the `result` and the LSN that must be durable before it is sent
/// (the newest write the result reflects; 0 when it reflects only durable state).
public struct RPCResult: Sendable {
    public var value: JSON
    /// The result already serialised (`JSONWriter`), for hot methods: no JSON tree is built.
    public var raw: [UInt8]?
    public var fence: UInt64

    public init(_ value: JSON, fence: UInt64 = 0) {
        self.value = value
        self.raw = nil
        self.fence = fence
    }

    public init(raw: [UInt8], fence: UInt64 = 0) {
        self.value = .null
        self.raw = raw
        self.fence = fence
    }
}

public typealias RPCHandler = @Sendable (RPCCall) async throws(RPCError) -> RPCResult

/// A handler that can finish synchronously on the connection's event loop, with no task: nil
/// means "not here" (e.g. called off the loop its actor runs on), and the async handler runs.
public typealias RPCImmediateHandler = @Sendable (RPCCall) throws(RPCError) -> RPCResult?

/// One method: name, documentation, access level, params and handler.
public struct MethodSpec: Sendable {
    /// Who may call: anyone, a signed-in user (`params.session`), or a signed-in user with an
    /// active tenant (SPEC §6 "Session" and "tenant").
    public enum Access: String, Sendable {
        case open, session, tenant
    }

    public let name: String
    public let summary: String
    public let access: Access
    /// Answered on every node of a cluster (`system.*`, `rpc.*`); other methods only on the
    /// primary, which the registry's gate decides (SPEC §10).
    public let anywhere: Bool
    public let params: [ParamSpec]
    /// Position of each param in `params`, and how many are required: the validator's fast path.
    let paramIndex: [String: Int]
    let requiredCount: Int
    /// Names that are refused with a specific message rather than "Unknown parameter"
    /// (e.g. `email` on `users.update`: a real field, but not one that can change).
    public let rejected: [String: String]
    /// Rules across several params (e.g. "at least one field"), run after the per-param checks.
    public let check: (@Sendable (JSONObject) -> [(path: [String], message: String)])?
    public let handler: RPCHandler
    /// The synchronous fast path, for hot methods whose work is one turn of one actor.
    public let immediate: RPCImmediateHandler?

    public init(
        _ name: String, summary: String, access: Access = .open, anywhere: Bool = false, params: [ParamSpec] = [],
        rejected: [String: String] = [:],
        check: (@Sendable (JSONObject) -> [(path: [String], message: String)])? = nil,
        immediate: RPCImmediateHandler? = nil,
        handler: @escaping RPCHandler
    ) {
        self.name = name
        self.summary = summary
        self.access = access
        self.anywhere = anywhere
        self.params = params
        self.paramIndex = Dictionary(params.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.requiredCount = params.filter(\.required).count
        self.rejected = rejected
        self.check = check
        self.handler = handler
        self.immediate = immediate
    }
}

/// A connection handed from JSON-RPC to another protocol after a reply (as HTTP's 101 Switching
/// Protocols; a handler asks with `ConnectionInfo.handOver`): once the reply is written, the
/// JSON-RPC handler leaves the pipeline and `install` runs on the channel's event loop to set up
/// what reads and writes from then on. The client must send nothing more until it has read the
/// reply.
public struct ConnectionHandover: Sendable {
    public let install: @Sendable (any Channel) throws -> Void

    public init(install: @escaping @Sendable (any Channel) throws -> Void) { self.install = install }
}
