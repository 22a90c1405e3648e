import Testing
@testable import Protocol

@Suite struct JSONRejectTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [UInt8]
        let message: String
        let offset: Int
        var testDescription: String { String(decoding: input, as: UTF8.self) }

        init(_ text: String, _ message: String, at offset: Int) {
            self.init(Array(text.utf8), message, at: offset)
        }

        init(_ bytes: [UInt8], _ message: String, at offset: Int) {
            input = bytes
            self.message = message
            self.offset = offset
        }
    }

    static let cases: [Case] = [
        // Structure
        Case("", "unexpected end of input", at: 0),
        Case("   ", "unexpected end of input", at: 3),
        Case(#"{"a":1,}"#, "expected a string key", at: 7),
        Case("[1,]", "unexpected character", at: 3),
        Case("[1 2]", "expected ',' or ']'", at: 3),
        Case(#"{"a" 1}"#, "expected ':'", at: 5),
        Case(#"{"a":1 "b":2}"#, "expected ',' or '}'", at: 7),
        Case("{a:1}", "expected a string key", at: 1),
        Case("{1:1}", "expected a string key", at: 1),
        Case("[", "unexpected end of input", at: 1),
        Case("[1", "unexpected end of input", at: 2),
        Case(#"{"a":"#, "unexpected end of input", at: 5),
        Case("]", "unexpected character", at: 0),
        Case(#"{"a":1}{"b":2}"#, "unexpected data after the value", at: 7),
        Case("1 2", "unexpected data after the value", at: 2),
        Case("[1]x", "unexpected data after the value", at: 3),
        Case("// c\n1", "unexpected character", at: 0),
        Case("[1/*c*/]", "expected ',' or ']'", at: 2),
        Case("\u{0B}1", "unexpected character", at: 0),  // vertical tab is not JSON whitespace
        Case("\u{FEFF}1", "unexpected character", at: 0),  // byte order mark
        Case(#"{"a":1,"a":2}"#, "duplicate key", at: 7),
        Case(#"{"id":1,"x":{},"\u0069d":2}"#, "duplicate key", at: 15),
        // Literals
        Case("nul", "unexpected end of input", at: 3),
        Case("nulL", "invalid literal", at: 3),
        Case("True", "unexpected character", at: 0),
        Case("truex", "unexpected data after the value", at: 4),
        Case("NaN", "unexpected character", at: 0),
        Case("Infinity", "unexpected character", at: 0),
        Case("-Infinity", "expected a digit", at: 1),
        Case("undefined", "unexpected character", at: 0),
        Case("'a'", "unexpected character", at: 0),
        // Numbers
        Case("01", "leading zeros are not allowed", at: 0),
        Case("-01", "leading zeros are not allowed", at: 1),
        Case("[00]", "leading zeros are not allowed", at: 1),
        Case("+1", "unexpected character", at: 0),
        Case("-", "unexpected end of input", at: 1),
        Case("1.", "unexpected end of input", at: 2),
        Case("1.e3", "expected a digit", at: 2),
        Case(".5", "unexpected character", at: 0),
        Case("1e", "unexpected end of input", at: 2),
        Case("1e+", "unexpected end of input", at: 3),
        Case("1e+x", "expected a digit", at: 3),
        Case("0x10", "unexpected data after the value", at: 1),
        Case("1_000", "unexpected data after the value", at: 1),
        // Strings
        Case(#""abc"#, "unterminated string", at: 4),
        Case("\"a\tb\"", "control character in string", at: 2),
        Case("\"a\nb\"", "control character in string", at: 2),
        Case([0x22, 0x00, 0x22], "control character in string", at: 1),
        Case(#""\x""#, "invalid escape", at: 1),
        Case(#""\'""#, "invalid escape", at: 1),
        Case(#""\u00""#, "invalid \\u escape", at: 5),
        Case(#""\u00g0""#, "invalid \\u escape", at: 5),
        Case(#""\u12"#, "unterminated string", at: 5),
        Case(#""\"#, "unterminated string", at: 2),
        Case(#""\ud800""#, "unpaired surrogate", at: 1),
        Case(#""\ud800x""#, "unpaired surrogate", at: 1),
        Case(#""\ud800\n""#, "unpaired surrogate", at: 1),
        Case(#""\ud800\u0041""#, "unpaired surrogate", at: 1),
        Case(#""\ud800\ud800""#, "unpaired surrogate", at: 1),
        Case(#""\udc00""#, "unpaired surrogate", at: 1),
        Case(#""\ude00\ud83d""#, "unpaired surrogate", at: 1),
        // UTF-8
        Case([0xFF], "unexpected character", at: 0),
        Case([0x22, 0xFF, 0x22], "invalid UTF-8", at: 1),
        Case([0x22, 0xC0, 0x80, 0x22], "invalid UTF-8", at: 1),  // overlong NUL
        Case([0x22, 0xC1, 0xBF, 0x22], "invalid UTF-8", at: 1),  // overlong
        Case([0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8", at: 1),  // overlong "/"
        Case([0x22, 0xF0, 0x82, 0x82, 0xAC, 0x22], "invalid UTF-8", at: 1),  // overlong €
        Case([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8", at: 1),  // encoded surrogate
        Case([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),  // above U+10FFFF
        Case([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8", at: 1),
        Case([0x22, 0x80, 0x22], "invalid UTF-8", at: 1),  // stray continuation
        Case([0x22, 0xC3, 0x22], "invalid UTF-8", at: 1),  // truncated sequence
        Case([0x22, 0xE2, 0x82, 0x22], "invalid UTF-8", at: 1),
        Case([0x22, 0xE2, 0x82], "invalid UTF-8", at: 1),  // truncated at end of input
        Case([0x5B, 0xC3, 0xA9, 0x5D], "unexpected character", at: 1),  // non-ASCII outside a string
    ]

    @Test(arguments: cases)
    func rejects(_ testCase: Case) {
        #expect(throws: JSONParseError(message: testCase.message, offset: testCase.offset)) {
            try JSON.parse(testCase.input)
        }
    }

    @Test func nestingPastTheLimitIsRejected() {
        let depth = JSON.defaultMaxDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError(message: "nesting too deep", offset: depth - 1)) { try JSON.parse(arrays) }

        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: JSONParseError(message: "nesting too deep", offset: 5 * (depth - 1))) { try JSON.parse(objects) }
    }

    @Test func hugeNestingFailsFastWithoutExhaustingTheStack() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError(message: "nesting too deep", offset: JSON.defaultMaxDepth)) { try JSON.parse(input) }
    }

    @Test func depthLimitIsConfigurable() throws {
        #expect(throws: JSONParseError(message: "nesting too deep", offset: 6)) {
            try JSON.parse(#"{"a":[[1]]}"#, maxDepth: 2)
        }
        #expect(try JSON.parse(#"{"a":[[1]]}"#, maxDepth: 3) == ["a": [[1]]])
        #expect(try JSON.parse("7", maxDepth: 0) == 7)
    }

    @Test func duplicateKeysAreCaughtInLargeObjects() {
        // Past the linear-search size the hash index must still catch a late duplicate.
        let members = (0..<100).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let input = "{" + members + #","k3":0}"#
        #expect(throws: JSONParseError(message: "duplicate key", offset: input.utf8.count - 7)) { try JSON.parse(input) }
    }

    @Test func errorDescriptionNamesTheOffset() {
        #expect(JSONParseError(message: "duplicate key", offset: 7).description == "duplicate key at byte 7")
    }
}
