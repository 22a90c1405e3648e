import NIOCore
import Persistence
import Synchronization
import Testing
@testable import Protocol

/// The synchronous fast path: a method with an immediate handler is answered by `tryNow`
/// without a task; one that declines (nil) is left to `run`, whose async handler then runs, and
/// is counted once.
@Suite struct ImmediateDispatchTests {
    /// Whether the immediate handler accepts, and how often each handler ran.
    final class Switches: Sendable {
        let accept = Atomic<Bool>(true)
        let immediateRuns = Atomic<Int>(0)
        let asyncRuns = Atomic<Int>(0)
    }

    let switches = Switches()

    var registry: MethodRegistry {
        let switches = switches
        return MethodRegistry([
            MethodSpec(
                "fast", summary: "", access: .session, params: [ParamSpec("n", .integer, required: true)],
                immediate: { call throws(RPCError) in
                    guard switches.accept.load(ordering: .relaxed) else { return nil }
                    switches.immediateRuns.add(1, ordering: .relaxed)
                    guard call.params["n"] != .number(JSONNumber(13)) else {
                        throw .application(code: 409, kind: "conflict", message: "unlucky")
                    }
                    return RPCResult(["path": "immediate", "n": call.params["n"]!], fence: 0)
                }
            ) { call throws(RPCError) in
                switches.asyncRuns.add(1, ordering: .relaxed)
                return RPCResult(["path": "task", "n": call.params["n"]!])
            },
            MethodSpec("slow", summary: "") { _ throws(RPCError) in RPCResult("slow") },
        ])
    }

    func message(_ line: String, _ session: inout RPCSession) -> RPCEnvelope {
        let step = Array(line.utf8).withUnsafeBytes { session.gate($0) }
        guard case let .single(envelope) = step else { fatalError("not a single request: \(line)") }
        return envelope
    }

    /// The answer when `tryNow` finished the request in place; nil when it left it for later.
    func now(_ session: RPCSession, _ envelope: RPCEnvelope) -> PendingReply?? {
        guard case let .done(reply) = session.tryNow(envelope, framing: .line) else { return nil }
        return .some(reply)
    }

    func text(_ reply: PendingReply??) -> String? { reply.flatMap { $0 }.map { String(buffer: $0.bytes) } }

    func session(_ registry: MethodRegistry) -> RPCSession {
        RPCSession(registry: registry, durability: AlwaysDurable(), info: ConnectionInfo(id: 1, remote: "test"), maxLine: 1024, rpcKey: nil)
    }

    @Test func aMethodWithAnImmediateHandlerIsAnsweredInPlaceAndCountedOnce() {
        let registry = registry
        var s = session(registry)
        let reply = now(s, message(#"{"method":"fast","params":{"session":"t","n":1},"id":7}"#, &s))
        #expect(text(reply) == #"{"jsonrpc":"2.0","result":{"path":"immediate","n":1},"id":7}"# + "\n")
        #expect(switches.immediateRuns.load(ordering: .relaxed) == 1)
        #expect(switches.asyncRuns.load(ordering: .relaxed) == 0)
        #expect(registry.counts().first { $0.method == "fast" }?.calls == 1)
    }

    @Test func gateAndValidationFailuresAreAnsweredInPlaceWithoutRunningTheHandler() {
        let registry = registry
        var s = session(registry)
        let noSession = now(s, message(#"{"method":"fast","params":{"n":1},"id":1}"#, &s))
        #expect(text(noSession)?.contains(#""code":401"#) == true)
        let badParam = now(s, message(#"{"method":"fast","params":{"session":"t","n":"x"},"id":2}"#, &s))
        #expect(text(badParam)?.contains(#""code":400"#) == true)
        #expect(text(badParam)?.contains(#""path":["n"]"#) == true)
        let thrown = now(s, message(#"{"method":"fast","params":{"session":"t","n":13},"id":3}"#, &s))
        #expect(text(thrown)?.contains(#""code":409"#) == true)
        #expect(switches.immediateRuns.load(ordering: .relaxed) == 1)
        let counts = registry.counts().first { $0.method == "fast" }
        #expect(counts?.calls == 3)
        #expect(counts?.failures == 3)
    }

    @Test func aDecliningHandlerLeavesTheRequestToTheTaskPathUncounted() async {
        let registry = registry
        var s = session(registry)
        switches.accept.store(false, ordering: .relaxed)
        let msg = message(#"{"method":"fast","params":{"session":"t","n":2},"id":1}"#, &s)
        #expect(now(s, msg) == nil)
        #expect(registry.counts().first { $0.method == "fast" }?.calls == 0)
        let reply = await s.run(msg, framing: .line)
        #expect(text(reply) == #"{"jsonrpc":"2.0","result":{"path":"task","n":2},"id":1}"# + "\n")
        #expect(switches.asyncRuns.load(ordering: .relaxed) == 1)
        #expect(registry.counts().first { $0.method == "fast" }?.calls == 1)
    }

    @Test func methodsWithoutAnImmediateHandlerAreNotRunInPlace() {
        var s = session(registry)
        #expect(now(s, message(#"{"method":"slow","id":1}"#, &s)) == nil)
        #expect(now(s, message(#"{"method":"nope","id":1}"#, &s)) == nil)
        #expect(switches.immediateRuns.load(ordering: .relaxed) == 0)
    }

    @Test func aNotificationWithAnImmediateHandlerRunsInPlaceAndIsNotAnswered() {
        var s = session(registry)
        let reply = now(s, message(#"{"method":"fast","params":{"session":"t","n":1}}"#, &s))
        #expect(reply != nil && reply! == nil)
        #expect(switches.immediateRuns.load(ordering: .relaxed) == 1)
    }
}
