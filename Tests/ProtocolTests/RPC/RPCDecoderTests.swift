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

    /// The member-by-member reader (`JSON.parseRequestMembers`) answers only where the general
    /// path would accept the request, and then with the same request; it answers what clients send.
    @Test func theMemberReaderAgreesWithTheGeneralPath() {
        func fast(_ line: String) -> RPCRequest? {
            Array(line.utf8).withUnsafeBytes { JSON.parseRequestMembers($0).flatMap(RPCDecoder.request) }
        }
        func general(_ line: String) -> RPCMessage { Array(line.utf8).withUnsafeBytes { RPCDecoder.decodeTree($0) } }
        func check(_ line: String) -> Bool {
            guard let quick = fast(line) else { return false }
            guard case let .single(.request(expected)) = general(line) else {
                Issue.record("the member reader accepted what the general path does not: \(line)")
                return true
            }
            #expect(quick.id == expected.id && quick.method == expected.method && quick.params == expected.params, "\(line)")
            return true
        }

        let common = [
            #"{"jsonrpc":"2.0","id":1,"method":"users.me","params":{"session":"abc"}}"#,
            #"{"method":"users.update","params":{"session":"abc","name":"A\"da"},"id":"x-1","jsonrpc":"2.0"}"#,
            #" { "id" : null , "method" : "m" } "#,
            #"{"method":"m"}"#,
            #"{"method":"m","params":{},"id":-1.5e3}"#,
            "{\"method\":\"m\",\"id\":7}\r",
        ]
        for line in common { #expect(check(line), "\(line) should take the member reader") }

        let declined = [
            #"{"method":"m","method":"n"}"#, #"{"id":1,"id":2,"method":"m"}"#, #"{"me\u0074hod":"m"}"#,
            #"{"method":"m","extra":1}"#, #"{"jsonrpc":"1.0","method":"m"}"#, #"{"method":1}"#, #"{"method":"m","id":[]}"#,
            #"{"method":"m","params":[1]}"#, #"{"method":"m"} x"#, #"{"method":"m",}"#, #"{}"#, #"[{"method":"m"}]"#,
            #"{"method":"m","params":{"a":1,"a":2}}"#, #"{"method":"m\u0000"#, #"{"methodx":"m"}"#, #"{"method""#, "",
        ]
        for line in declined { #expect(!check(line), "\(line) should be left to the general path") }

        // Random envelopes: members in any order, some repeated, misspelled or escaped, values of every kind.
        var generator = SystemRandomNumberGenerator()
        let keys = [#""jsonrpc""#, #""id""#, #""method""#, #""params""#, #""i\u0064""#, #""session""#, #""METHOD""#]
        let values = [#""2.0""#, #""1.0""#, "1", "-0", "null", "true", #""users.me""#, #""é""#, "{}", #"{"session":"t","n":[1,{"x":null}]}"#, "[1]", #"{"a":1,"a":2}"#, "{"]
        let spaces = ["", " ", "\t", "\r\n"]
        var fastCount = 0
        for _ in 0..<3000 {
            var members: [String] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let space = spaces.randomElement(using: &generator)!
                members.append(keys.randomElement(using: &generator)! + space + ":" + space + values.randomElement(using: &generator)!)
            }
            let line = spaces.randomElement(using: &generator)! + "{" + members.joined(separator: ",") + "}" + spaces.randomElement(using: &generator)!
            if check(line) { fastCount += 1 }
        }
        #expect(fastCount > 0, "some random envelopes are plain requests")
    }
}
