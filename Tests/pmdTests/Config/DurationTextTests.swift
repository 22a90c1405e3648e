import Testing

@testable import pmd

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("90s", Int64(90)), ("15m", 900), ("1h", 3_600), ("30d", 2_592_000), ("7d", 604_800),
        ("3650d", 315_360_000),
    ])
    func acceptsWholeNumbersWithAUnit(text: String, seconds: Int64) {
        #expect(DurationText.parse(text) == .success(.seconds(seconds)))
    }

    @Test(arguments: ["5", "1w", "1.5h", "-1s", "h", "", "1 h", "1H", "+1s", "1hs"])
    func rejectsMissingOrUnknownUnitsAndFractions(text: String) {
        #expect(DurationText.parse(text) == .failure(ParseFailure(expected: DurationText.syntax)))
    }

    @Test func rejectsZero() {
        #expect(DurationText.parse("0s") == .failure(ParseFailure(expected: "a duration greater than zero")))
        #expect(DurationText.parse("00d") == .failure(ParseFailure(expected: "a duration greater than zero")))
    }

    @Test(arguments: ["3651d", "99999999999999999999s", "9223372036854775807d"])
    func rejectsDurationsBeyondTenYears(text: String) {
        #expect(DurationText.parse(text) == .failure(ParseFailure(expected: "a duration of at most 3650d")))
    }

    @Test func formatsWithTheLargestExactUnit() {
        #expect(DurationText.format(.seconds(2_592_000)) == "30d")
        #expect(DurationText.format(.seconds(129_600)) == "36h")
        #expect(DurationText.format(.seconds(90)) == "90s")
        #expect(DurationText.format(.seconds(600)) == "10m")
    }
}
