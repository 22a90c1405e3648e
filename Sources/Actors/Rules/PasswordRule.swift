/// SPEC §6.2 password rule: 8 to 256 characters, taken exactly as typed.
public enum PasswordRule {
    public static let minLength = 8
    public static let maxLength = 256

    public static let tooShortMessage = "Password must be at least \(minLength) characters"
    public static let tooLongMessage = "Password must be at most \(maxLength) characters"

    /// Checks a password's length and returns it unchanged.
    ///
    /// Not trimmed: spaces are legitimate password characters, and trimming would silently
    /// change what the user believes their password is.
    ///
    /// Length counts `Character`s (grapheme clusters), not bytes or scalars, because the spec
    /// says "characters" and a person counts what they see: "pässwörd" is 8 whether ä arrives
    /// precomposed or decomposed, and a passphrase in Greek or Japanese is not cut to a third of
    /// the length a byte count would allow. The byte size stays bounded by the request line limit
    /// (`PMD_MAX_LINE`), and scrypt's cost does not grow meaningfully with input length.
    public static func validate(_ password: String) throws(RuleViolation) -> String {
        // Count at most maxLength + 1 characters so a huge input is not walked to the end.
        var count = 0
        for _ in password {
            count += 1
            if count > maxLength { throw RuleViolation(tooLongMessage) }
        }
        if count < minLength { throw RuleViolation(tooShortMessage) }
        return password
    }
}
