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

    func send(_ session: inout RPCSession, _ line: String) async -> (text: String, close: Bool)? {
        let step = Array(line.utf8).withUnsafeBytes { session.gate($0) }
        let reply: PendingReply?
        switch step {
        case .skip: reply = nil
        case let .reply(immediate): reply = immediate
        case let .execute(message): reply = await session.execute(message)
        }
        guard let reply else { return nil }
        return (String(buffer: reply.bytes), reply.closeAfter)
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
