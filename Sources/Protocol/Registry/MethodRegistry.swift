import Synchronization

/// Per-connection facts a handler may need, and the one thing a handler may ask of its
/// connection: to switch protocols after its answer (`handOver`). A class, made once per
/// connection, so handing it to each call costs one reference.
public final class ConnectionInfo: Sendable {
    public let id: UInt64
    public let remote: String
    /// Read on every written reply, so a flag first: the lock is taken only when one is pending.
    private let handoverPending = Atomic<Bool>(false)
    private let handover = Mutex<ConnectionHandover?>(nil)

    public init(id: UInt64, remote: String) {
        self.id = id
        self.remote = remote
    }

    /// Switches this connection to another protocol once the answer to the current request is
    /// written (see `ConnectionHandover`); only for a request on its own line.
    public func handOver(_ next: ConnectionHandover) {
        handover.withLock { $0 = next }
        handoverPending.store(true, ordering: .releasing)
    }

    /// The handover asked for, if any (taken once).
    func takeHandover() -> ConnectionHandover? {
        guard handoverPending.load(ordering: .acquiring) else { return nil }
        handoverPending.store(false, ordering: .relaxed)
        return handover.withLock { pending in
            defer { pending = nil }
            return pending
        }
    }
}

/// All methods by name. Dispatch does, in one place and in this order: lookup (-32601), the
/// session gate (401 when a protected method has no `params.session`), params validation (400
/// with every failing field), then the handler.
public final class MethodRegistry: Sendable {
    final class Entry: Sendable {
        let spec: MethodSpec
        let observer: (any MethodObserver)?
        let calls = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        init(_ spec: MethodSpec, observer: (any MethodObserver)?) {
            self.spec = spec
            self.observer = observer
        }
    }

    private let entries: [String: Entry]
    private let order: [String]
    private let observer: (any RequestObserver)?
    /// Decides, per call of a method not answered everywhere, whether this node serves it now:
    /// nil to serve, else the error to answer (cluster mode: 421 on a node that is not primary).
    private let gate: (@Sendable () -> RPCError?)?
    /// `rpc.methods`' result, serialised once: the methods never change after start, and a
    /// batch of `rpc.methods` calls must not cost a 12 KiB JSON tree each.
    private let methodsResult: [UInt8]

    /// Methods every pmd has: `rpc.auth` is answered by the connection itself (it changes the
    /// connection's state) and `rpc.methods` by the registry; both are listed here so
    /// `rpc.methods` describes them too.
    static let builtIns: [MethodSpec] = [
        MethodSpec(
            "rpc.auth", summary: "Authenticate this connection with PMD_RPC_KEY (must come first when a key is set)", anywhere: true,
            params: [ParamSpec("key", .string, required: true, summary: "The RPC key")]
        ) { _ throws(RPCError) in RPCResult(["ok": true]) },
        MethodSpec("rpc.methods", summary: "Every method with its params and whether it needs a session or a tenant", anywhere: true) { _ throws(RPCError) in
            RPCResult(.null)
        },
    ]

    public init(_ methods: [MethodSpec], observer: (any RequestObserver)? = nil, gate: (@Sendable () -> RPCError?)? = nil) {
        self.observer = observer
        self.gate = gate
        var entries: [String: Entry] = [:]
        let methods = Self.builtIns + methods
        for method in methods {
            precondition(entries[method.name] == nil, "method \(method.name) registered twice")
            entries[method.name] = Entry(method, observer: observer?.observer(for: method.name))
        }
        self.entries = entries
        self.order = methods.map(\.name)
        methodsResult = Self.describe(methods).serialized
    }

    public func contains(_ method: String) -> Bool { entries[method] != nil }

    /// The param problems of a call to `method` (for methods the connection answers itself).
    func validate(_ params: JSONObject, for method: String) -> [(path: [String], message: String)] {
        guard let spec = entries[method]?.spec else { return [] }
        return ParamValidator.problems(params, against: spec)
    }

    public func dispatch(_ request: RPCRequest, connection: ConnectionInfo) async -> Result<RPCResult, RPCError> {
        guard let entry = entries[request.method] else { return methodNotFound(request.method) }
        let started = ContinuousClock.now
        let result: Result<RPCResult, RPCError>
        switch prepare(entry, request, connection) {
        case let .failure(error):
            result = .failure(error)
        case .success where entry.spec.name == "rpc.methods":
            result = .success(RPCResult(raw: methodsResult))
        case let .success(call):
            do {
                result = .success(try await entry.spec.handler(call))
            } catch {
                result = .failure(error)
            }
        }
        return finish(entry, request.method, result, since: started)
    }

    /// Dispatch without suspending, for methods with an immediate handler: nil when the method
    /// has none or it declines here (then nothing was counted, and `dispatch` is the way).
    public func dispatchImmediately(_ request: RPCRequest, connection: ConnectionInfo) -> Result<RPCResult, RPCError>? {
        guard let entry = entries[request.method], let immediate = entry.spec.immediate else { return nil }
        let started = ContinuousClock.now
        let result: Result<RPCResult, RPCError>
        switch prepare(entry, request, connection) {
        case let .failure(error):
            result = .failure(error)
        case let .success(call):
            do {
                guard let done = try immediate(call) else { return nil }
                result = .success(done)
            } catch {
                result = .failure(error)
            }
        }
        return finish(entry, request.method, result, since: started)
    }

    private func methodNotFound(_ method: String) -> Result<RPCResult, RPCError> {
        observer?.observe(method: "unknown", outcome: "method_not_found", duration: .zero)
        return .failure(.methodNotFound(method))
    }

    /// The session gate and params validation; the call for the handler when both pass.
    ///
    /// Takes the entry, not its spec: passing the spec by value copied it (a dozen fields) per call.
    private func prepare(_ entry: Entry, _ request: RPCRequest, _ connection: ConnectionInfo) -> Result<RPCCall, RPCError> {
        let spec = entry.spec
        if !spec.anywhere, let gate, let refusal = gate() { return .failure(refusal) }
        var session: String?
        if spec.access != .open {
            guard case let .string(token)? = request.params["session"] else { return .failure(.authenticationRequired) }
            session = token
        }
        let problems = ParamValidator.problems(request.params, against: spec)
        if !problems.isEmpty { return .failure(.validation(problems)) }
        return .success(RPCCall(method: spec.name, params: request.params, session: session, connection: connection))
    }

    /// Counts and observes a finished call.
    private func finish(
        _ entry: Entry, _ method: String, _ result: Result<RPCResult, RPCError>, since started: ContinuousClock.Instant
    ) -> Result<RPCResult, RPCError> {
        entry.calls.add(1, ordering: .relaxed)
        var outcome = "ok"
        if case let .failure(error) = result {
            entry.failures.add(1, ordering: .relaxed)
            outcome = error.data?["kind"]?.stringValue ?? "protocol_error"
        }
        let duration = ContinuousClock.now - started
        if let observer = entry.observer {
            observer.observe(outcome: outcome, duration: duration)
        } else {
            self.observer?.observe(method: method, outcome: outcome, duration: duration)
        }
        return result
    }

    /// Calls and failures per method, for `system.stats`.
    public func counts() -> [(method: String, calls: Int, failures: Int)] {
        order.compactMap { name in
            guard let entry = entries[name] else { return nil }
            return (name, entry.calls.load(ordering: .relaxed), entry.failures.load(ordering: .relaxed))
        }
    }

    /// `rpc.methods`: every method with its params and access, in registration order.
    public func describe() -> JSON { Self.describe(order.compactMap { entries[$0]?.spec }) }

    private static func describe(_ specs: [MethodSpec]) -> JSON {
        let methods: [JSON] = specs.map { spec in
            var params: [JSON] = []
            if spec.access != .open {
                params.append(["name": "session", "type": "string", "required": true, "nullable": false, "summary": "Session token from auth.login"])
            }
            for param in spec.params {
                params.append([
                    "name": .string(param.name), "type": .string(param.kind.rawValue), "required": .bool(param.required),
                    "nullable": .bool(param.nullable), "summary": .string(param.summary),
                ])
            }
            return [
                "name": .string(spec.name), "summary": .string(spec.summary),
                "session": .bool(spec.access != .open), "tenant": .bool(spec.access == .tenant),
                "params": .array(params),
            ]
        }
        return ["methods": .array(methods), "count": .number(JSONNumber(methods.count))]
    }
}
