import Testing
@testable import Protocol

@Suite struct JSONParseTests {
    @Test func parsesAJSONRPCRequest() throws {
        let line = #"{"jsonrpc":"2.0","id":7,"method":"user.get","params":{"id":"a1","tags":["x",true,null]}}"#
        let value = try JSON.parse(line)
        #expect(value["jsonrpc"] == "2.0")
        #expect(value["id"]?.intValue == 7)
        #expect(value["method"]?.stringValue == "user.get")
        #expect(value["params"]?["tags"] == ["x", true, nil])
        #expect(value["params"]?.objectValue?.keys == ["id", "tags"])
        #expect(value["missing"] == nil)
        #expect(value.objectValue?.keys == ["jsonrpc", "id", "method", "params"])
    }

    @Test(arguments: [
        (#""""#, JSON.string("")),
        ("[]", .array([])),
        ("{}", .object(JSONObject())),
        ("-0.0e-0", .number(JSONNumber("-0.0e-0")!)),
        (" \t\r\n true \n", .bool(true)),
        ("false", .bool(false)),
        ("null", .null),
        ("0", 0),
        ("[ 1 , [ ] , { } ]", JSON.array([1, [], [:]])),
        (#"{ "a" : { "b" : [ null ] } }"#, JSON.object(["a": ["b": [nil]]])),
        (#""\/""#, "/"),
        (#""é😀\u0000""#, "é😀\u{0}"),
    ])
    func parsesValidEdgeInputs(input: String, expected: JSON) throws {
        #expect(try JSON.parse(input) == expected)
    }

    @Test(arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u20AC""#, "Aé€"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD834\uDD1E clef""#, "𝄞 clef"),
        (#""a\u0022b""#, "a\"b"),
        (#""pre \n mid 😀 \t post""#, "pre \n mid 😀 \t post"),
        (#""\u007f\u0080\u07ff\u0800\uffff""#, "\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}"),
    ])
    func decodesEscapes(input: String, expected: String) throws {
        #expect(try JSON.parse(input).stringValue == expected)
    }

    @Test func decodesRawMultiByteUTF8() throws {
        // Boundary scalars of every UTF-8 length, written raw.
        let text = "\u{80}\u{7FF}\u{800}\u{D7FF}\u{E000}\u{FFFF}\u{10000}\u{10FFFF}"
        #expect(try JSON.parse("\"\(text)\"").stringValue == text)
    }

    @Test func everyOverloadAgrees() throws {
        let text = #"{"a":[1,"b"]}"#
        let bytes = Array(text.utf8)
        let expected: JSON = ["a": [1, "b"]]
        #expect(try JSON.parse(text) == expected)
        #expect(try JSON.parse(bytes) == expected)
        #expect(try JSON.parse(bytes[...]) == expected)
        #expect(try JSON.parse(text.utf8) == expected)
        #expect(try JSON.parse(AnySequence(bytes)) == expected)  // not contiguous: copied
        #expect(try bytes.withUnsafeBytes { raw throws(JSONParseError) in try JSON.parse(raw) } == expected)
        #expect(throws: JSONParseError(message: "unexpected end of input", offset: 0)) {
            try JSON.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test func parsesFromTheMiddleOfALargerBuffer() throws {
        let line = Array(#"xx{"id":1}yy"#.utf8)
        let value = try line.withUnsafeBytes { raw throws(JSONParseError) in
            try JSON.parse(UnsafeRawBufferPointer(rebasing: raw[2..<10]))
        }
        #expect(value == ["id": 1])
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let depth = JSON.defaultMaxDepth
        let input = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSON.parse(input)
        var levels = 0
        while let inner = value.arrayValue {
            levels += 1
            value = inner.first ?? .null
        }
        #expect(levels == depth)
        #expect(throws: Never.self) { try JSON.parse(#"{"a":{"b":1}}"#, maxDepth: 2) }
    }

    @Test func keysAreUnescapedBeforeLookup() throws {
        let value = try JSON.parse(#"{"\u0069d":5}"#)
        #expect(value["id"]?.intValue == 5)
    }
}
