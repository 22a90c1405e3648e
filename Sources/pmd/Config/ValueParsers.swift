import Foundation

/// The parsers of settings that have no value type of their own.
enum ValueParsers {
    /// Any text; an empty value never reaches a parser (empty means unset).
    static func text(_ text: String) -> Result<String, ParseFailure> { .success(text) }

    /// `PMD_RPC_KEY`. At least 16 characters because the key is all that stands between a
    /// reachable RPC port and every account, and pmd answers guesses as fast as the network
    /// carries them: 16 random characters are beyond online guessing, a short word is not.
    static func rpcKey(_ text: String) -> Result<String, ParseFailure> {
        if ConfigSyntax.hasWhitespace(text) {
            return .failure(ParseFailure(expected: "a key without whitespace"))
        }
        guard text.count >= 16 else { return .failure(ParseFailure(expected: "a key of at least 16 characters")) }
        return .success(text)
    }

    /// Stripe keys and secrets: opaque, but never with whitespace — a trailing newline
    /// copied from a secrets file would otherwise surface much later as a 401 from Stripe
    /// or as every webhook failing its signature check.
    static func secret(_ text: String) -> Result<String, ParseFailure> {
        ConfigSyntax.hasWhitespace(text)
            ? .failure(ParseFailure(expected: "a value without whitespace")) : .success(text)
    }

    /// Stripe price ids, checked like secrets but quoted in errors.
    static func priceID(_ text: String) -> Result<String, ParseFailure> {
        ConfigSyntax.hasWhitespace(text)
            ? .failure(ParseFailure(expected: "a Stripe price id without whitespace")) : .success(text)
    }

    /// `PMD_SCRYPT_N`: a power of two (scrypt requires it) from 16 (fast enough for tests)
    /// to 1048576 (at r=8 that is 1 GiB of memory per hash; more would let a burst of
    /// logins exhaust the machine).
    static func scryptN(_ text: String) -> Result<Int, ParseFailure> {
        let failure = ParseFailure(expected: "a power of two from 16 to 1048576")
        guard ConfigSyntax.isDigits(text), let n = Int(text), (16...1_048_576).contains(n),
            n & (n - 1) == 0
        else { return .failure(failure) }
        return .success(n)
    }

    /// A count of zero or more, in plain digits.
    static func count(_ text: String) -> Result<Int, ParseFailure> {
        guard ConfigSyntax.isDigits(text), let n = Int(text) else {
            return .failure(ParseFailure(expected: "a whole number of zero or more"))
        }
        return .success(n)
    }

    /// `PMD_MAX_CONNECTIONS`: 1 to 1,000,000.
    static func connectionLimit(_ text: String) -> Result<Int, ParseFailure> {
        guard ConfigSyntax.isDigits(text), let n = Int(text), (1...1_000_000).contains(n) else {
            return .failure(ParseFailure(expected: "a whole number from 1 to 1000000"))
        }
        return .success(n)
    }

    /// `PMD_IDLE_TIMEOUT`: a duration, or `off`.
    static func idleTimeout(_ text: String) -> Result<Duration?, ParseFailure> {
        if text == "off" { return .success(nil) }
        return DurationText.parse(text).map { $0 }.mapError { _ in ParseFailure(expected: "off or " + DurationText.syntax) }
    }

    /// `PMD_PLANS_FILE`: checked now rather than when plans are seeded, so that a wrong
    /// path stops start-up with the other configuration problems.
    static func readableFile(_ path: String) -> Result<String, ParseFailure> {
        let expected = "a readable file"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ParseFailure(expected: expected, note: "no such file"))
        }
        guard !isDirectory.boolValue else {
            return .failure(ParseFailure(expected: expected, note: "it is a directory"))
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            return .failure(ParseFailure(expected: expected, note: "permission denied"))
        }
        return .success(path)
    }
}
