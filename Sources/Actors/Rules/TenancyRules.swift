/// SPEC §6.3 field rules for tenants and companies.
public enum TenancyRules {
    public static let tenantNameMaxLength = 100
    public static let companyNameMaxLength = 255
    public static let logoURLMaxLength = 500

    /// `tenantName`: trimmed, 1...100 characters, no control characters (`RuleText.name`).
    public static func tenantName(_ raw: String) throws(RuleViolation) -> String {
        try RuleText.name(raw, label: "Tenant name", max: tenantNameMaxLength)
    }

    /// `companyName` / company `name`: trimmed, 1...255 characters, no control characters.
    public static func companyName(_ raw: String) throws(RuleViolation) -> String {
        try RuleText.name(raw, label: "Company name", max: companyNameMaxLength)
    }

    /// `logoUrl`: an absolute http(s) URL (see `HTTPURLRule`), at most 500 characters.
    public static func logoURL(_ raw: String) throws(RuleViolation) -> String {
        try HTTPURLRule.validate(raw, label: "Logo URL", maxLength: logoURLMaxLength)
    }

    /// Validates `tenants.create` params, reporting both fields' issues together.
    /// - Throws: `DomainError.validation` at `tenantName` / `companyName`.
    public static func validateCreate(tenantName: String, companyName: String) throws(DomainError)
        -> (tenantName: String, companyName: String)
    {
        var issues = IssueCollector()
        let t = issues.check("tenantName", tenantName, self.tenantName)
        let c = issues.check("companyName", companyName, self.companyName)
        try issues.finish()
        return (t!, c!)
    }
}

/// A validated `companies.update` request: at least one of `name`, `logoUrl`.
///
/// Like the user picture, `logoUrl` is cleared by JSON `null` or a string that trims to "".
public struct CompanyPatch: Sendable, Equatable {
    /// What happens to the logo when the patch carries one.
    public enum LogoChange: Sendable, Equatable {
        case set(String)
        case clear
    }

    public var name: String?
    public var logoURL: LogoChange?

    /// Validates typed inputs (nil = absent) and collects every issue.
    /// - Throws: `DomainError.validation` at `name` / `logoUrl`, or at `[]` when neither is given.
    public static func validate(name: String? = nil, logoUrl: Nullable<String>? = nil) throws(DomainError) -> CompanyPatch {
        var issues = IssueCollector()
        var patch = CompanyPatch()
        if let name { patch.name = issues.check("name", name, TenancyRules.companyName) }
        switch logoUrl {
        case nil: break
        case .null: patch.logoURL = .clear
        case .value(let raw) where RuleText.trim(raw).isEmpty: patch.logoURL = .clear
        case .value(let raw):
            patch.logoURL = issues.check("logoUrl", raw, TenancyRules.logoURL)
                .map(LogoChange.set)
        }
        if name == nil && logoUrl == nil { issues.add([], DomainError.Message.atLeastOneField) }
        try issues.finish()
        return patch
    }
}
