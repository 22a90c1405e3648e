import NIOCore
import Persistence

/// The per-connection protocol state machine, with no socket. A line first passes the
/// synchronous `gate` (size, JSON decoding, the `PMD_RPC_KEY` handshake) on the connection's
/// event loop; what needs a handler is then `execute`d, which produces the line to send back and
/// the LSN that must be durable first. Requests run one after another in arrival order; batches
/// element by element.
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
        /// Nothing to answer (a blank line).
        case skip
        /// Answer this now, without running a handler.
        case reply(PendingReply)
        /// Run the message's requests (`execute`).
        case execute(RPCMessage)
    }

    /// Decides a line's fate while its bytes are still in NIO's buffer.
    func gate(_ line: UnsafeRawBufferPointer) -> Step {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { return .skip }
        if line.count > maxLine { return .reply(tooLarge()) }
        let message = RPCDecoder.decode(line)
        if !authenticated { return .reply(authenticate(message)) }
        switch message {
        case let .failure(error): return .reply(reply(error: error, id: .null))
        case .single(.request(let request)) where request.method == "rpc.auth":
            // Answered here: it only concerns this connection.
            let outcome = checkKey(request).map { RPCResult(["ok": true]) }
            guard let id = request.id else { return .skip }
            return .reply(self.line(id: id, outcome: outcome))
        default: return .execute(message)
        }
    }

    /// The reply to a line longer than `PMD_MAX_LINE`, after which the connection closes.
    func tooLarge() -> PendingReply { reply(error: .requestTooLarge, id: .null, close: true) }

    /// Runs a message's requests; nil when nothing is to be answered (notifications only).
    func execute(_ message: RPCMessage) async -> PendingReply? {
        switch message {
        case let .failure(error):
            return reply(error: error, id: .null)
        case let .single(envelope):
            guard let (id, outcome) = await run(envelope) else { return nil }
            return line(id: id, outcome: outcome)
        case let .batch(envelopes):
            var out: [UInt8] = [UInt8(ascii: "[")]
            var fence: LSN = 0
            var ids: [JSON] = []
            for envelope in envelopes {
                guard let (id, outcome) = await run(envelope) else { continue }
                let answer = answer(id: id, outcome: outcome)
                if !ids.isEmpty { out.append(UInt8(ascii: ",")) }
                out += answer.bytes
                fence = max(fence, answer.fence)
                ids.append(id)
            }
            // A batch of notifications only gets no response at all (JSON-RPC 2.0 §6).
            if ids.isEmpty { return nil }
            out += [UInt8(ascii: "]"), UInt8(ascii: "\n")]
            return PendingReply(bytes: out, fence: fence, answered: .batch(ids))
        }
    }

    /// Runs a single request right here, without suspending, when its method can (an immediate
    /// handler on its actor's loop); nil when it has to be `execute`d.
    func executeImmediately(_ message: RPCMessage) -> PendingReply? {
        guard case let .single(.request(request)) = message, let id = request.id, request.method != "rpc.auth",
            let outcome = registry.dispatchImmediately(request, connection: info)
        else { return nil }
        return line(id: id, outcome: outcome)
    }

    /// The reply line to a single request, written once, into the buffer it leaves from.
    private func line(id: JSON, outcome: Result<RPCResult, RPCError>) -> PendingReply {
        switch outcome {
        case let .success(result):
            return PendingReply(buffer: RPCEncoder.line(id: id, result: result), fence: result.fence, answered: .one(id))
        case let .failure(error):
            return PendingReply(
                bytes: RPCEncoder.line(id: id, outcome: .failure(error)), fence: durability.lastAssignedLSN, answered: .one(id))
        }
    }

    private struct Answer {
        var bytes: [UInt8]
        var fence: LSN
    }

    /// Runs one envelope: the id to answer and the outcome; nil for a notification (executed,
    /// not answered).
    private func run(_ envelope: RPCEnvelope) async -> (id: JSON, outcome: Result<RPCResult, RPCError>)? {
        switch envelope {
        case .ignoredNotification:
            return nil
        case let .invalid(id, error):
            return (id, .failure(error))
        case let .request(request):
            let outcome: Result<RPCResult, RPCError>
            if request.method == "rpc.auth" {
                outcome = checkKey(request).map { RPCResult(["ok": true]) }
            } else {
                outcome = await registry.dispatch(request, connection: info)
            }
            guard let id = request.id else { return nil }
            return (id, outcome)
        }
    }

    private func answer(id: JSON, outcome: Result<RPCResult, RPCError>) -> Answer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        switch outcome {
        case let .success(result):
            RPCEncoder.success(id: id, result: result, into: &bytes)
            return Answer(bytes: bytes, fence: result.fence)
        case let .failure(error):
            RPCEncoder.failure(id: id, error: error, into: &bytes)
            return Answer(bytes: bytes, fence: durability.lastAssignedLSN)
        }
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
    /// answered 401 and the connection closed.
    private func authenticate(_ message: RPCMessage) -> PendingReply {
        guard case let .single(.request(request)) = message, request.method == "rpc.auth" else {
            return reply(error: .authenticationRequired, id: .null, close: true)
        }
        switch checkKey(request) {
        case .success:
            authenticated = true
            return reply(result: ["ok": true], id: request.id ?? .null)
        case let .failure(error):
            return reply(error: error.code == 400 ? .authenticationRequired : error, id: request.id ?? .null, close: true)
        }
    }

    private func reply(error: RPCError, id: JSON, close: Bool = false) -> PendingReply {
        PendingReply(
            bytes: RPCEncoder.line(id: id, outcome: .failure(error)), fence: durability.lastAssignedLSN,
            closeAfter: close, answered: .one(id))
    }

    private func reply(result: JSON, id: JSON) -> PendingReply {
        PendingReply(bytes: RPCEncoder.line(id: id, outcome: .success(result)), fence: 0, answered: .one(id))
    }
}
