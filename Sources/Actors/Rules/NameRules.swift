/// SPEC §6.2 name rules: trimmed; `name` 1...255, `givenName`/`familyName` 1...100 characters;
/// no control characters or line breaks (see `RuleText.name`).
///
/// A name that is all whitespace trims to empty and is rejected rather than stored as "".
public enum NameRules {
    public static let nameMaxLength = 255
    public static let partMaxLength = 100

    /// The display name (`name`).
    public static func name(_ raw: String) throws(RuleViolation) -> String {
        try RuleText.name(raw, label: "Name", max: nameMaxLength)
    }

    /// The given (first) name.
    public static func givenName(_ raw: String) throws(RuleViolation) -> String {
        try RuleText.name(raw, label: "Given name", max: partMaxLength)
    }

    /// The family (last) name.
    public static func familyName(_ raw: String) throws(RuleViolation) -> String {
        try RuleText.name(raw, label: "Family name", max: partMaxLength)
    }
}
