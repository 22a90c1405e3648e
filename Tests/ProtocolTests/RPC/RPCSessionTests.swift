import NIOCore
import Persistence
import Synchronization
import Testing
@testable import Protocol

/// A durability fence that is always satisfied: these tests are about the protocol state
/// machine, not the log (the log has its own tests on a real LMDB).
struct AlwaysDurable: Durability {
    var lastAssignedLSN: LSN { 0 }
    var durableLSN: LSN { 0 }
    func waitDurable(_ lsn: LSN) async throws(WriteAheadLog.Failure) {}
    func whenDurable(_ lsn: LSN, _ callback: @escaping @Sendable (WriteAheadLog.Failure?) -> Void) { callback(nil) }
}

@Suite struct RPCSessionTests {
    let registry = MethodRegistry([
        MethodSpec("echo", summary: "", params: [ParamSpec("value", .any)]) { call throws(RPCError) in
            RPCResult(call.params["value"] ?? .null)
        },
        MethodSpec("private", summary: "", access: .session) { call throws(RPCError) in RPCResult(.string(call.session ?? "")) },
    ])

    func session(key: String? = nil, maxLine: Int = 1024) -> RPCSession {
        RPCSession(registry: registry, durability: AlwaysDurable(), info: ConnectionInfo(id: 1, remote: "test"), maxLine: maxLine, rpcKey: key)
    }

    /// One request run as the connection runs it: in place when it can, else as a task.
    func answer(_ session: RPCSession, _ envelope: RPCEnvelope, _ framing: PendingReply.Framing) async -> PendingReply? {
        switch session.tryNow(envelope, framing: framing) {
        case let .done(reply): reply
        case .later: await session.run(envelope, framing: framing)
        }
    }

    /// A line's whole answer, its pieces joined as the connection writes them.
    func send(_ session: inout RPCSession, _ line: String) async -> (text: String, close: Bool)? {
        let step = Array(line.utf8).withUnsafeBytes { session.gate($0) }
        var pieces: [PendingReply] = []
        switch step {
        case .skip: break
        case let .reply(immediate): pieces = [immediate]
        case let .single(envelope):
            if let reply = await answer(session, envelope, .line) { pieces = [reply] }
        case let .batch(envelopes):
            var cursor = BatchCursor(envelopes)
            while let (envelope, framing) = cursor.advance() {
                if let reply = await answer(session, envelope, framing) { pieces.append(reply) }
            }
            if cursor.needsEnd { pieces.append(.batchEnd) }
        }
        guard !pieces.isEmpty else { return nil }
        return (pieces.map { String(buffer: $0.bytes) }.joined(), pieces.contains(where: \.closeAfter))
    }

    @Test func blankLinesAndNotificationsGetNoReply() async {
        var s = session()
        #expect(await send(&s, "   ") == nil)
        #expect(await send(&s, #"{"method":"echo","params":{"value":1}}"#) == nil)
        #expect(await send(&s, #"[{"method":"echo"},{"method":"echo"}]"#) == nil)
    }

    @Test func batchesAnswerInOrderWithoutNotifications() async {
        var s = session()
        let reply = await send(&s, #"[{"method":"echo","params":{"value":"a"},"id":1},{"method":"echo"},{"method":"nope","id":2}]"#)
        #expect(reply?.text == #"[{"jsonrpc":"2.0","result":"a","id":1},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found","data":{"method":"nope"}},"id":2}]"# + "\n")
    }

    @Test func aBatchsFirstAnswerMayFollowNotificationsAndInvalidElementsAreAnswered() async {
        var s = session()
        let reply = await send(&s, #"[{"method":"echo"},5,{"method":"echo","params":[1],"id":"p"},{"method":"echo","params":{"value":true},"id":null}]"#)
        #expect(reply?.text == #"[{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request","data":{"detail":"a request must be an object"}},"id":null},{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params: params must be an object"},"id":"p"},{"jsonrpc":"2.0","result":true,"id":null}]"# + "\n")
    }

    @Test func aBatchLongerThanTheLimitIsRefusedWhole() async {
        var s = session(maxLine: 1 << 20)
        let line = "[" + Array(repeating: #"{"method":"echo","id":1}"#, count: RPCDecoder.maxBatch + 1).joined(separator: ",") + "]"
        let reply = await send(&s, line)
        #expect(reply?.text == #"{"jsonrpc":"2.0","error":{"code":-32600,"message":"Batch too large","data":{"detail":"at most 1000 requests per batch","limit":1000}},"id":null}"# + "\n")
        let full = "[" + Array(repeating: #"{"method":"echo","id":1}"#, count: RPCDecoder.maxBatch).joined(separator: ",") + "]"
        #expect(await send(&s, full)?.text.hasPrefix(#"[{"jsonrpc":"2.0","result":null,"id":1},"#) == true)
    }

    @Test func aFailedWriteInABatchKeepsItsPlaceInTheLine() {
        let first = PendingReply(bytes: Array(#"[{"jsonrpc":"2.0","result":1,"id":1}"#.utf8), fence: 9, framing: .element(first: true), id: 1)
        let later = PendingReply(bytes: Array(#",{"jsonrpc":"2.0","result":2,"id":"b"}"#.utf8), fence: 9, framing: .element(first: false), id: "b")
        let error = #"{"jsonrpc":"2.0","error":{"code":503,"message":"Persistence failed; the write was not saved","data":{"kind":"unavailable"}},"id":"#
        #expect(String(buffer: first.replaced(by: .unsaved)) == "[" + error + "1}")
        #expect(String(buffer: later.replaced(by: .unsaved)) == "," + error + #""b"}"#)
        #expect(String(buffer: PendingReply.batchEnd.replaced(by: .unsaved)) == "]\n")
    }

    @Test func rpcAuthAsANotificationIsObeyedButNotAnswered() async {
        var right = session(key: "0123456789abcdef")
        #expect(await send(&right, #"{"method":"rpc.auth","params":{"key":"0123456789abcdef"}}"#) == nil)
        #expect(await send(&right, #"{"method":"echo","params":{"value":3},"id":3}"#)?.text.contains(#""result":3"#) == true)

        var wrong = session(key: "0123456789abcdef")
        let refused = await send(&wrong, #"{"method":"rpc.auth","params":{"key":"nope-nope-nope-nope"}}"#)
        #expect(refused?.text == "")
        #expect(refused?.close == true)
    }

    @Test func protectedMethodsNeedASessionParam() async {
        var s = session()
        let reply = await send(&s, #"{"method":"private","id":1}"#)
        #expect(reply?.text.contains(#""code":401"#) == true)
        #expect(await send(&s, #"{"method":"private","params":{"session":"tok"},"id":2}"#)?.text.contains(#""result":"tok""#) == true)
    }

    @Test func anOversizedLineIsRefusedAndCloses() async {
        var s = session(maxLine: 16)
        let reply = await send(&s, String(repeating: "x", count: 17))
        #expect(reply?.text.contains("Request too large") == true)
        #expect(reply?.close == true)
    }

    @Test func withAKeyTheFirstRequestMustAuthenticate() async {
        var refused = session(key: "0123456789abcdef")
        let first = await send(&refused, #"{"method":"echo","id":1}"#)
        #expect(first?.text.contains(#""code":401"#) == true)
        #expect(first?.close == true)

        var wrong = session(key: "0123456789abcdef")
        let bad = await send(&wrong, #"{"method":"rpc.auth","params":{"key":"0123456789abcdeX"},"id":1}"#)
        #expect(bad?.text.contains(#""code":401"#) == true)
        #expect(bad?.close == true)

        var right = session(key: "0123456789abcdef")
        let ok = await send(&right, #"{"method":"rpc.auth","params":{"key":"0123456789abcdef"},"id":1}"#)
        #expect(ok?.text == #"{"jsonrpc":"2.0","result":{"ok":true},"id":1}"# + "\n")
        #expect(ok?.close == false)
        #expect(await send(&right, #"{"method":"echo","params":{"value":2},"id":2}"#)?.text.contains(#""result":2"#) == true)
    }

    @Test func secretsCompareWholly() {
        #expect(constantTimeEquals("abc", "abc"))
        #expect(!constantTimeEquals("abc", "abd"))
        #expect(!constantTimeEquals("abc", "abcd"))
        #expect(!constantTimeEquals("", "a"))
    }
}
