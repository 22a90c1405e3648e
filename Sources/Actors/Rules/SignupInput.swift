/// Validated `auth.signup` params (SPEC §6.2), also what `test.validation` checks.
public struct SignupInput: Sendable, Equatable {
    /// Normalised (trimmed, lowercased) address.
    public var email: String
    /// Exactly as typed; only its length was checked.
    public var password: String
    /// Trimmed display name, nil when not given.
    public var name: String?

    /// Validates every field and reports all failing ones together.
    /// - Parameter name: nil when absent; a given name that trims to "" is an issue, not "absent".
    /// - Throws: `DomainError.validation` with one issue per failing field (`email`, `password`, `name`).
    public static func validate(email: String, password: String, name: String?) throws(DomainError) -> SignupInput {
        var issues = IssueCollector()
        let email = issues.check("email", email, EmailRule.normalize)
        let password = issues.check("password", password, PasswordRule.validate)
        var validName: String?
        if let name { validName = issues.check("name", name, NameRules.name) }
        try issues.finish()
        // finish() returned, so every check succeeded and the force-unwraps cannot fail.
        return SignupInput(email: email!, password: password!, name: validName)
    }

    /// `test.validation`'s `data`: the normalised fields with the password masked as "***".
    public var redacted: (email: String, password: String, name: String?) {
        (email, "***", name)
    }
}
