import Testing

@testable import pmd

@Suite struct ByteSizeTests {
    @Test(arguments: [
        ("1MiB", 1_048_576), ("8GiB", 8 * 1_073_741_824), ("123", 123), ("123B", 123),
        ("4KiB", 4096), ("0", 0),
    ])
    func acceptsByteCountsAndBinarySuffixes(text: String, bytes: Int) {
        #expect(ByteSize.parse(text) == .success(bytes))
    }

    @Test(arguments: ["1.5GiB", "10kb", "10KB", "1mib", "-1", "", "GiB", " 1MiB", "1 MiB", "1TiB", "+5"])
    func rejectsEverythingElse(text: String) {
        #expect(ByteSize.parse(text) == .failure(ParseFailure(expected: ByteSize.syntax)))
    }

    @Test func rejectsSizesThatOverflow() {
        #expect(ByteSize.parse("99999999999GiB") == .failure(ParseFailure(expected: "a size below 8 EiB")))
        #expect(ByteSize.parse("99999999999999999999") == .failure(ParseFailure(expected: "a size below 8 EiB")))
    }

    @Test func rangeFailureNamesTheRangeInUnits() {
        let range = ByteSize.kibibyte...(64 * ByteSize.mebibyte)
        #expect(ByteSize.parse("1000", in: range) == .failure(ParseFailure(expected: "a size from 1KiB to 64MiB")))
        #expect(ByteSize.parse("64MiB", in: range) == .success(64 * ByteSize.mebibyte))
        #expect(
            ByteSize.parse("512KiB", in: ByteSize.mebibyte...Int.max)
                == .failure(ParseFailure(expected: "a size of at least 1MiB")))
    }

    @Test func formatsWithTheLargestExactUnit() {
        #expect(ByteSize.format(8 * ByteSize.gibibyte) == "8GiB")
        #expect(ByteSize.format(1536 * ByteSize.kibibyte) == "1536KiB")
        #expect(ByteSize.format(1000) == "1000B")
        #expect(ByteSize.format(0) == "0B")
    }
}
