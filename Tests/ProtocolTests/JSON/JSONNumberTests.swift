import Testing
@testable import Protocol

@Suite struct JSONNumberTests {
    @Test(arguments: ["1.50", "-0", "1E+3", "1e3", "-0.0e-0", "100", "0.1000", "1e-07", "123456789012345678901234567890", "-1.5E-300"])
    func numberTextSurvivesARoundTrip(text: String) throws {
        let parsed = try JSON.parse(#"{"id":\#(text)}"#)
        #expect(parsed["id"]?.numberValue?.text == text)
        #expect(parsed.compactString == #"{"id":\#(text)}"#)
    }

    @Test(arguments: [
        ("3", 3), ("3.0", 3), ("3e0", 3), ("30e-1", 3), ("0.3e1", 3), ("3.000e+0", 3),
        ("-0", 0), ("0e999999999999999999999", 0), ("-0.0e-5", 0), ("1E2", 100), ("1.5e1", 15),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
        ("922337203685477580.7e1", Int.max), ("9223372036854775807000e-3", Int.max),
        ("-42", -42), ("1000000", 1_000_000),
    ])
    func intAcceptsExactIntegers(text: String, expected: Int) {
        #expect(JSONNumber(text)?.int == expected)
    }

    @Test(arguments: [
        "3.5", "0.1", "-0.5", "1e-1", "35e-1", "9223372036854775808", "-9223372036854775809",
        "1e19", "99999999999999999999", "1e999999999999999999999", "12345678901234567891e-1", "1.00000000000000000001",
    ])
    func intRejectsFractionsAndOutOfRange(text: String) {
        #expect(JSONNumber(text) != nil)
        #expect(JSONNumber(text)?.int == nil)
    }

    @Test func doubleAccessor() {
        #expect(JSONNumber("1.5")?.double == 1.5)
        #expect(JSONNumber("-1E+3")?.double == -1000)
        #expect(JSONNumber("-0")?.double?.sign == .minus)
        #expect(JSONNumber("1e400")?.double == nil)
        #expect(JSONNumber("1e-400")?.double == 0)
        #expect(JSONNumber("9007199254740993")?.double == 9007199254740992)  // rounds; `int` does not
        #expect(JSONNumber("9007199254740993")?.int == 9007199254740993)
    }

    @Test func initFromText() {
        #expect(JSONNumber("12")?.text == "12")
        for invalid in ["", " 1", "1 ", "+1", "01", "1.", ".1", "1e", "NaN", "Infinity", "-", "0x1", "1,0", "١"] {
            #expect(JSONNumber(invalid) == nil, "\(invalid)")
        }
    }

    @Test func initFromIntegers() {
        #expect(JSONNumber(0).text == "0")
        #expect(JSONNumber(-17).text == "-17")
        #expect(JSONNumber(Int.min).text == "-9223372036854775808")
        let literal: JSONNumber = 42
        #expect(literal.text == "42")
    }

    @Test func initFromDoubleUsesShortestRoundTripText() throws {
        #expect(JSONNumber(0.1)?.text == "0.1")
        #expect(JSONNumber(1.0)?.text == "1.0")
        #expect(JSONNumber(-0.0)?.text == "-0.0")
        #expect(JSONNumber(1e-5)?.text == "1e-05")
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(JSONNumber(-Double.infinity) == nil)

        var generator = SeededGenerator(seed: 42)
        var samples: [Double] = [.leastNonzeroMagnitude, .greatestFiniteMagnitude, .ulpOfOne, -.leastNormalMagnitude, 1e16, 123456789.125]
        for _ in 0..<2000 { samples.append(Double(bitPattern: generator.next())) }
        for value in samples where value.isFinite {
            let number = try #require(JSONNumber(value))
            #expect(JSONNumber(number.text) != nil, "\(number.text) is not JSON")
            #expect(number.double == value)
        }
    }

    @Test func equalityIsTextual() {
        #expect(JSONNumber("1") == JSONNumber(1))
        #expect(JSONNumber("1.0") != JSONNumber("1"))
        #expect(JSONNumber("1.0")?.int == JSONNumber("1")?.int)
    }
}
