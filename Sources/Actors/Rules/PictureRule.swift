/// `users.update` `picture`: the spec only says "URL"; pmd requires an absolute http(s) URL
/// with a host (see `HTTPURLRule`) of at most 2048 characters — the de-facto limit browsers and
/// CDNs handle everywhere, and enough for signed avatar URLs.
public enum PictureRule {
    public static let maxLength = 2048

    /// Validates a picture URL and returns it trimmed. Clearing is decided by `ProfilePatch`,
    /// not here: this rule only sees non-empty values.
    public static func validate(_ raw: String) throws(RuleViolation) -> String {
        try HTTPURLRule.validate(raw, label: "Picture", maxLength: maxLength)
    }
}
