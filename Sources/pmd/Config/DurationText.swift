/// Durations as SPEC §3 writes them: a positive whole number with an `s`, `m`, `h` or `d`
/// suffix (`90s`, `15m`, `1h`, `30d`). The suffix is required — a bare `5` could mean
/// seconds or days — and zero is rejected, because a zero lifetime or interval is never
/// what an operator means.
enum DurationText {
    private static let units: [(suffix: Character, seconds: Int64)] = [
        ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    /// Ten years. Times are computed as `now + duration` in milliseconds and printed as
    /// RFC 3339 with a four-digit year; the cap keeps both far from overflow.
    static let maximumSeconds: Int64 = 3_650 * 86_400

    static let syntax = "a positive whole number with an s, m, h or d suffix (e.g. 90s, 1h, 30d)"

    /// Parses a duration.
    static func parse(_ text: String) -> Result<Duration, ParseFailure> {
        guard let last = text.last, let unit = units.first(where: { $0.suffix == last }) else {
            return .failure(ParseFailure(expected: syntax))
        }
        let digits = text.dropLast()
        guard ConfigSyntax.isDigits(digits) else { return .failure(ParseFailure(expected: syntax)) }
        let tooLong = ParseFailure(expected: "a duration of at most \(format(.seconds(maximumSeconds)))")
        guard let count = Int64(digits) else { return .failure(tooLong) }
        guard count > 0 else {
            return .failure(ParseFailure(expected: "a duration greater than zero"))
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: unit.seconds)
        guard !overflow, seconds <= maximumSeconds else { return .failure(tooLong) }
        return .success(.seconds(seconds))
    }

    /// The largest exact unit: `30d`, `90s`, `36h`. Sub-second parts (never produced by
    /// ``parse(_:)``) are dropped.
    static func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        for unit in units where seconds != 0 && seconds % unit.seconds == 0 {
            return "\(seconds / unit.seconds)\(unit.suffix)"
        }
        return "\(seconds)s"
    }
}
