/// Sizes as SPEC §3 writes them: a whole number of bytes with an optional `B`, `KiB`, `MiB`
/// or `GiB` suffix (`8GiB`, `1MiB`, `4096`). Suffixes are case-sensitive and binary; `kb`,
/// `MB` and fractions are rejected rather than guessed at, because a guess that is off by a
/// factor of 1000/1024 or 8 is a misconfiguration nobody notices.
enum ByteSize {
    static let kibibyte = 1 << 10
    static let mebibyte = 1 << 20
    static let gibibyte = 1 << 30

    /// Longest suffix first, so that `KiB` is not read as `B`.
    private static let units: [(suffix: String, bytes: Int)] = [
        ("GiB", gibibyte), ("MiB", mebibyte), ("KiB", kibibyte), ("B", 1),
    ]

    static let syntax = "a size in bytes with an optional B, KiB, MiB or GiB suffix (e.g. 8GiB)"

    /// Parses a size into bytes.
    static func parse(_ text: String) -> Result<Int, ParseFailure> {
        var digits = Substring(text)
        var multiplier = 1
        if let unit = units.first(where: { text.hasSuffix($0.suffix) }) {
            digits = digits.dropLast(unit.suffix.count)
            multiplier = unit.bytes
        }
        guard ConfigSyntax.isDigits(digits) else { return .failure(ParseFailure(expected: syntax)) }
        let tooLarge = ParseFailure(expected: "a size below 8 EiB")
        guard let count = Int(digits) else { return .failure(tooLarge) }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return .failure(tooLarge) }
        return .success(bytes)
    }

    /// Parses a size and checks it against a range; the failure names the range in the
    /// same units the operator writes.
    static func parse(_ text: String, in range: ClosedRange<Int>) -> Result<Int, ParseFailure> {
        parse(text).flatMap { bytes in
            guard range.contains(bytes) else {
                let expected =
                    range.upperBound == .max
                    ? "a size of at least \(format(range.lowerBound))"
                    : "a size from \(format(range.lowerBound)) to \(format(range.upperBound))"
                return .failure(ParseFailure(expected: expected))
            }
            return .success(bytes)
        }
    }

    /// The shortest exact spelling: `8GiB`, `1536KiB`, `1000B`.
    static func format(_ bytes: Int) -> String {
        for unit in units where bytes != 0 && bytes % unit.bytes == 0 {
            return "\(bytes / unit.bytes)\(unit.suffix)"
        }
        return "\(bytes)B"
    }
}
