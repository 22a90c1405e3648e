import Testing
@testable import Protocol

/// SplitMix64: tiny, fast and seedable, so a failing fuzz case reproduces exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct JSONFuzzTests {
    static let corpus: [String] = [
        #"{"jsonrpc":"2.0","id":1,"method":"user.create","params":{"email":"a@b.c","name":"Zoë","roles":["admin"]}}"#,
        #"[{"jsonrpc":"2.0","id":"x","method":"system.health"},{"jsonrpc":"2.0","method":"n"}]"#,
        #"{"a":[1,-2.5e+3,0,true,false,null,"\u00e9\ud83d\ude00\n\"\\"],"b":{"c":{}}}"#,
        #"[-0, 1E-2, 0.5, 123456789012345678901234567890, "", [], {}]"#,
        #"  {"id" : null , "error" : {"code" : -32600, "message" : "Invalid Request"}}  "#,
        #""😀 plain string with / and \t""#,
    ]

    /// Bytes that make mutations likely to hit interesting parser paths.
    static let alphabet = Array(#"{}[]:,"\ -+.eE0123456789truefalsnul/ubfnrt"#.utf8) + [0x00, 0x09, 0x0A, 0x80, 0xC3, 0xA9, 0xED, 0xF0, 0x9F, 0xFF]

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 0x5EED)
        var parsedCount = 0
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &generator)
            let input = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? Self.alphabet.randomElement(using: &generator)!
                    : UInt8.random(in: 0...255, using: &generator)
            }
            if checkParseOutcome(input) { parsedCount += 1 }
        }
        #expect(parsedCount > 0)  // the alphabet does produce some valid documents
    }

    @Test func mutatedValidJSONNeverCrashes() {
        var generator = SeededGenerator(seed: 0xF00D)
        var outcomes = (parsed: 0, rejected: 0)
        for _ in 0..<4000 {
            var input = Array(Self.corpus.randomElement(using: &generator)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                mutate(&input, using: &generator)
            }
            if checkParseOutcome(input) { outcomes.parsed += 1 } else { outcomes.rejected += 1 }
        }
        #expect(outcomes.parsed > 0)
        #expect(outcomes.rejected > 0)
    }

    @Test func generatedValuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<1000 {
            let value = randomValue(depth: 0, using: &generator)
            let compact = value.serialized
            let reparsed = try JSON.parse(compact)
            #expect(reparsed == value)
            #expect(reparsed.serialized == compact)
            #expect(try JSON.parse(value.prettyString()) == value)
        }
    }

    /// Parses `input`; if it parses, its serialisation must parse back to an equal value and
    /// serialise identically. Returns whether `input` parsed.
    private func checkParseOutcome(_ input: [UInt8]) -> Bool {
        let value: JSON
        do {
            value = try JSON.parse(input)
        } catch {
            #expect(error.offset >= 0 && error.offset <= input.count, "offset out of range for \(input)")
            return false
        }
        let compact = value.serialized
        #expect((try? JSON.parse(compact)) == value, "re-parse differs for \(input)")
        #expect((try? JSON.parse(compact))?.serialized == compact)
        return true
    }

    private func mutate(_ input: inout [UInt8], using generator: inout SeededGenerator) {
        let position = input.isEmpty ? 0 : Int.random(in: 0..<input.count, using: &generator)
        let byte = Bool.random(using: &generator)
            ? Self.alphabet.randomElement(using: &generator)!
            : UInt8.random(in: 0...255, using: &generator)
        switch Int.random(in: 0..<4, using: &generator) {
        case 0 where !input.isEmpty:
            input[position] = byte
        case 1:
            input.insert(byte, at: position)
        case 2 where !input.isEmpty:
            input.remove(at: position)
        default:
            let end = min(input.count, position + Int.random(in: 1...8, using: &generator))
            input.insert(contentsOf: input[position..<end], at: position)
        }
    }

    private func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSON {
        let scalarsOnly = depth >= 4
        switch Int.random(in: 0..<(scalarsOnly ? 5 : 7), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            if Bool.random(using: &generator) { return .number(JSONNumber(Int.random(in: .min ... .max, using: &generator))) }
            let double = Double(bitPattern: generator.next())
            return .number(JSONNumber(double) ?? 0)
        case 3, 4: return .string(randomString(using: &generator))
        case 5:
            return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            var object = JSONObject()
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                object[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(object)
        }
    }

    private func randomString(using generator: inout SeededGenerator) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "\u{FFFF}", "😀", "\u{10FFFF}"]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            scalars.append(pool.randomElement(using: &generator)!)
        }
        return String(scalars)
    }
}
