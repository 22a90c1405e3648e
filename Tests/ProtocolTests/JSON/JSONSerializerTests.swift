import Testing
@testable import Protocol

@Suite struct JSONSerializerTests {
    @Test func writesCompactlyInOrder() {
        let value: JSON = ["jsonrpc": "2.0", "id": .number(JSONNumber("1.50")!), "result": ["a": [1, true, nil], "b": [:], "c": []]]
        #expect(value.compactString == #"{"jsonrpc":"2.0","id":1.50,"result":{"a":[1,true,null],"b":{},"c":[]}}"#)
        #expect(value.serialized == Array(value.compactString.utf8))
        #expect(value.description == value.compactString)
    }

    @Test func writeAppendsToExistingBytes() {
        var output = Array("prefix ".utf8)
        JSON.array([false]).write(into: &output)
        #expect(String(decoding: output, as: UTF8.self) == "prefix [false]")
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        ("", #""""#),
        ("quote\" backslash\\ slash/", #""quote\" backslash\\ slash/""#),
        ("\u{8}\u{C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{0}\u{1}\u{1F}\u{7F}", #""\u0000\u0001\u001f\#u{7F}""#),
        ("é😀\u{2028}", "\"é😀\u{2028}\""),
        ("\\u0041", #""\\u0041""#),
    ])
    func escapesOnlyWhatJSONRequires(string: String, expected: String) throws {
        #expect(JSON.string(string).compactString == expected)
        #expect(try JSON.parse(expected) == .string(string))
    }

    @Test func escapesKeysToo() {
        let value: JSON = ["a\"\n": 1]
        #expect(value.compactString == #"{"a\"\n":1}"#)
    }

    @Test func prettyPrintsNestedValues() {
        let value: JSON = ["id": 1, "list": [true, nil, [:], []], "inner": ["k": "v\n"]]
        let expected = """
            {
              "id": 1,
              "list": [
                true,
                null,
                {},
                []
              ],
              "inner": {
                "k": "v\\n"
              }
            }
            """
        #expect(value.prettyString() == expected)
    }

    @Test func prettyHonoursIndentAndScalars() {
        #expect(JSON.array([1, [2]]).prettyString(indent: 4) == "[\n    1,\n    [\n        2\n    ]\n]")
        #expect(JSON.array([1]).prettyString(indent: 0) == "[\n1\n]")
        #expect(JSON.string("x").prettyString() == #""x""#)
        #expect(JSON.object([:]).prettyString() == "{}")
    }
}
