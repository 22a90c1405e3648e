import Testing
@testable import Protocol

@Suite struct RPCDecoderTests {
    func decode(_ text: String) -> RPCMessage {
        Array(text.utf8).withUnsafeBytes { RPCDecoder.decode($0) }
    }

    func request(_ text: String) -> RPCRequest? {
        if case let .single(.request(request)) = decode(text) { return request }
        return nil
    }

    func invalid(_ text: String) -> (id: JSON, error: RPCError)? {
        if case let .single(.invalid(id, error)) = decode(text) { return (id, error) }
        return nil
    }

    @Test func aRequestWithAndWithoutTheVersionMember() {
        let full = request(#"{"jsonrpc":"2.0","method":"system.ping","params":{"a":1},"id":7}"#)
        #expect(full?.method == "system.ping")
        #expect(full?.id == .number(JSONNumber(7)))
        #expect(full?.params["a"] == .number(JSONNumber(1)))
        let short = request(#"{"method":"system.ping","id":"x"}"#)
        #expect(short?.params.isEmpty == true, "omitted params are {}")
        #expect(short?.id == .string("x"))
    }

    @Test func notificationsHaveNoIdAndNullIsAnId() {
        #expect(request(#"{"method":"m"}"#)?.isNotification == true)
        #expect(request(#"{"method":"m","id":null}"#)?.isNotification == false)
    }

    @Test func parseErrorsAndEmptyBatches() {
        guard case let .failure(parse) = decode("{nope") else { Issue.record("expected a failure"); return }
        #expect(parse.code == -32700)
        guard case let .failure(empty) = decode("[]") else { Issue.record("expected a failure"); return }
        #expect(empty.code == -32600)
    }

    @Test func invalidRequestsAnswerWithNullIdUnlessTheIdIsTrustworthy() {
        #expect(invalid(#"{"jsonrpc":"2.0","method":1,"params":"bar"}"#)?.id == .null)
        #expect(invalid(#"{"jsonrpc":"1.0","method":"m","id":3}"#)?.error.code == -32600)
        #expect(invalid(#"{"method":"m","id":{"a":1}}"#)?.id == .null)
        #expect(invalid(#"1"#)?.error.code == -32600)
        let unknown = invalid(#"{"method":"m","id":4,"parmas":{}}"#)
        #expect(unknown?.error.code == -32600)
        #expect(unknown?.id == .number(JSONNumber(4)))
        let array = invalid(#"{"method":"m","id":5,"params":[1,2]}"#)
        #expect(array?.error.code == -32602)
        #expect(array?.id == .number(JSONNumber(5)))
    }

    @Test func batchesKeepTheirOrderAndMarkInvalidMembers() {
        guard case let .batch(items) = decode(#"[{"method":"a","id":1},1,{"method":"b"}]"#) else {
            Issue.record("expected a batch")
            return
        }
        #expect(items.count == 3)
        if case let .request(first) = items[0] { #expect(first.method == "a") } else { Issue.record("first") }
        if case .invalid = items[1] {} else { Issue.record("second must be invalid") }
        if case let .request(third) = items[2] { #expect(third.isNotification) } else { Issue.record("third") }
    }

    @Test func responsesEchoTheIdTextExactly() {
        guard let id = request(#"{"method":"m","id":1.50}"#)?.id else { Issue.record("no id"); return }
        let line = String(decoding: RPCEncoder.line(id: id, outcome: .success(["ok": true])), as: UTF8.self)
        #expect(line == "{\"jsonrpc\":\"2.0\",\"result\":{\"ok\":true},\"id\":1.50}\n")
        let error = String(decoding: RPCEncoder.line(id: .null, outcome: .failure(.parseError)), as: UTF8.self)
        #expect(error == "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse error\"},\"id\":null}\n")
    }
}
