import NIOCore
import Persistence

/// The per-connection protocol state machine, with no socket. A line first passes the
/// synchronous `gate` (size, JSON decoding, the `PMD_RPC_KEY` handshake) on the connection's
/// event loop; each request it holds is then run — `tryNow` in place when its method can finish
/// in this turn, else `run` in a task — producing the reply to send and the LSN that must be
/// durable first. Requests run one after another in arrival order; a batch's elements one by
/// one (`BatchCursor`), each answer framed in its place in the batch's line.
///
/// A class, so the connection's handler calls it without copying it: as a struct held in the
/// handler, every call copied (and retained, and released) each of its fields, 1% of a request.
/// `authenticated` is only touched by `gate`, on the event loop; everything else is constant.
final class RPCSession: @unchecked Sendable {
    let registry: MethodRegistry
    let durability: any Durability
    let info: ConnectionInfo
    let maxLine: Int
    let rpcKey: String?
    private(set) var authenticated: Bool

    init(registry: MethodRegistry, durability: any Durability, info: ConnectionInfo, maxLine: Int, rpcKey: String?) {
        self.registry = registry
        self.durability = durability
        self.info = info
        self.maxLine = maxLine
        self.rpcKey = rpcKey
        self.authenticated = rpcKey == nil
    }

    /// What to do with a line.
    enum Step: Sendable {
        /// Nothing to answer (a blank line, or `rpc.auth` sent as a notification).
        case skip
        /// Answer this now, without running anything.
        case reply(PendingReply)
        /// Run one request (`tryNow`, else `run`); its answer is a whole line.
        case single(RPCEnvelope)
        /// Run a batch's requests one by one (`BatchCursor`).
        case batch([RPCEnvelope])
    }

    /// Decides a line's fate while its bytes are still in NIO's buffer.
    func gate(_ line: UnsafeRawBufferPointer) -> Step {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { return .skip }
        if line.count > maxLine { return .reply(tooLarge()) }
        let message = RPCDecoder.decode(line)
        if !authenticated { return authenticate(message) }
        switch message {
        case let .failure(error): return .reply(reply(error: error, id: .null))
        case let .single(envelope): return .single(envelope)
        case let .batch(envelopes): return .batch(envelopes)
        }
    }

    /// The reply to a line longer than `PMD_MAX_LINE`, after which the connection closes.
    func tooLarge() -> PendingReply { reply(error: .requestTooLarge, id: .null, close: true) }

    /// What `tryNow` managed.
    enum Attempt: Sendable {
        /// Done in place: the answer, or nil when there is none to send (a notification).
        case done(PendingReply?)
        /// The method needs a task: call `run`.
        case later
    }

    /// Runs a request right here, without suspending, when it can: protocol errors, `rpc.auth`,
    /// and methods with an immediate handler on their actor's loop.
    func tryNow(_ envelope: RPCEnvelope, framing: PendingReply.Framing) -> Attempt {
        switch envelope {
        case .ignoredNotification:
            return .done(nil)
        case let .invalid(id, error):
            return .done(reply(id: id, outcome: .failure(error), framing: framing))
        case let .request(request) where request.method == "rpc.auth":
            // Answered here: it only concerns this connection.
            let outcome = checkKey(request).map { RPCResult(["ok": true]) }
            return .done(request.id.map { reply(id: $0, outcome: outcome, framing: framing) })
        case let .request(request):
            guard let outcome = registry.dispatchImmediately(request, connection: info) else { return .later }
            return .done(request.id.map { reply(id: $0, outcome: outcome, framing: framing) })
        }
    }

    /// Runs a request that `tryNow` left for later; nil when it is a notification.
    func run(_ envelope: RPCEnvelope, framing: PendingReply.Framing) async -> PendingReply? {
        guard case let .request(request) = envelope else {
            guard case let .done(reply) = tryNow(envelope, framing: framing) else { return nil }
            return reply
        }
        let outcome = await registry.dispatch(request, connection: info)
        return request.id.map { reply(id: $0, outcome: outcome, framing: framing) }
    }

    /// An answer in its place in the line. A failure waits for the newest LSN handed out: an
    /// error ("Email already registered") may reflect a write that is not durable yet.
    private func reply(id: JSON, outcome: Result<RPCResult, RPCError>, framing: PendingReply.Framing) -> PendingReply {
        if framing == .line, case let .success(result) = outcome {
            // The hot path: the line is written once, into the buffer it leaves from.
            return PendingReply(buffer: RPCEncoder.line(id: id, result: result), fence: result.fence, id: id)
        }
        let fence: LSN
        if case let .success(result) = outcome { fence = result.fence } else { fence = durability.lastAssignedLSN }
        return PendingReply(bytes: PendingReply.encode(id: id, outcome: outcome, framing: framing), fence: fence, framing: framing, id: id)
    }

    private func checkKey(_ request: RPCRequest) -> Result<Void, RPCError> {
        let problems = registry.validate(request.params, for: "rpc.auth")
        guard problems.isEmpty, case let .string(key)? = request.params["key"] else {
            return .failure(.validation(problems))
        }
        guard let rpcKey else { return .success(()) }
        return constantTimeEquals(key, rpcKey) ? .success(()) : .failure(.application(code: 401, kind: "unauthorized", message: "Invalid RPC key"))
    }

    /// With `PMD_RPC_KEY` set, the first request must be a correct `rpc.auth`; anything else is
    /// answered 401 and the connection closed. Sent as a notification it is obeyed but, as
    /// JSON-RPC asks, not answered: a right key authenticates silently, a wrong one just closes.
    private func authenticate(_ message: RPCMessage) -> Step {
        guard case let .single(.request(request)) = message, request.method == "rpc.auth" else {
            return .reply(reply(error: .authenticationRequired, id: .null, close: true))
        }
        switch checkKey(request) {
        case .success:
            authenticated = true
            guard let id = request.id else { return .skip }
            return .reply(PendingReply(bytes: RPCEncoder.line(id: id, outcome: .success(["ok": true])), fence: 0, id: id))
        case let .failure(error):
            guard let id = request.id else { return .reply(PendingReply(bytes: [], fence: 0, closeAfter: true, id: nil)) }
            return .reply(reply(error: error.code == 400 ? .authenticationRequired : error, id: id, close: true))
        }
    }

    private func reply(error: RPCError, id: JSON, close: Bool = false) -> PendingReply {
        PendingReply(
            bytes: RPCEncoder.line(id: id, outcome: .failure(error)), fence: durability.lastAssignedLSN,
            closeAfter: close, id: id)
    }
}
