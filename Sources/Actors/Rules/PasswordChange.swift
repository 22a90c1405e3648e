/// Pure checks of `users.changePassword` and `auth.resetPassword` params.
public enum PasswordChange {
    /// Validates `newPassword` for `users.changePassword`: the password rule, and it must differ
    /// from `currentPassword` (SPEC: "400 when new equals current"). Whether `currentPassword` is
    /// right is checked later against the stored hash (→ 403), which is not a pure rule.
    /// - Throws: `DomainError.validation` at path `newPassword`.
    public static func validateChange(currentPassword: String, newPassword: String) throws(DomainError) -> String {
        var issues = IssueCollector()
        let new = issues.check("newPassword", newPassword, PasswordRule.validate)
        // Compared byte for byte, as the hash will see them: passwords are not trimmed or
        // Unicode-normalised, so "abc " and "abc" (or NFC vs NFD "é") are different passwords.
        if new != nil, newPassword.utf8.elementsEqual(currentPassword.utf8) {
            issues.add(field: "newPassword", DomainError.Message.newPasswordSameAsCurrent)
        }
        try issues.finish()
        return newPassword
    }

    /// Validates `newPassword` for `auth.resetPassword`.
    /// - Throws: `DomainError.validation` at path `newPassword`.
    public static func validateReset(newPassword: String) throws(DomainError) -> String {
        var issues = IssueCollector()
        _ = issues.check("newPassword", newPassword, PasswordRule.validate)
        try issues.finish()
        return newPassword
    }
}
