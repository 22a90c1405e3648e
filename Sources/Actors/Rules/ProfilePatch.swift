/// A validated `users.update` request (SPEC §6.2): which profile and preference fields change,
/// already normalised. Build it with `validate(...)`, apply it with `applied(to:preferences:)`.
///
/// Clearing the picture: JSON `null` or a string that trims to "" (`picture: ""`) removes it,
/// because an avatar is the one field a user typically wants to remove and `""` is what HTML forms
/// send for an emptied input. Name fields cannot be cleared: the spec bounds them to 1...255/1...100
/// characters, so an empty or null name is a validation issue.
public struct ProfilePatch: Sendable, Equatable {
    /// What happens to the picture when the patch carries one.
    public enum PictureChange: Sendable, Equatable {
        case set(String)
        case clear
    }

    public var name: String?
    public var givenName: String?
    public var familyName: String?
    public var picture: PictureChange?
    public var theme: Theme?
    public var language: String?
    public var timezone: String?
    public var emailNotifications: Bool?
    public var pushNotifications: Bool?
    public var weeklyReports: Bool?
    public var marketingEmails: Bool?

    /// The params `users.update` accepts besides `session`, for the method registry and
    /// unknown-field checks.
    public static let fieldNames: [String] = [
        "name", "givenName", "familyName", "picture", "theme", "language", "timezone",
        "emailNotifications", "pushNotifications", "weeklyReports", "marketingEmails",
    ]

    /// Fields that exist on the user but may not be changed: present → 400 with
    /// `DomainError.Message.fieldNotUpdatable` at that path (SPEC: "`email`/`id` are not updatable").
    public static let immutableFields: Set<String> = ["email", "id"]

    /// An empty patch; `validate` never returns one.
    public init() {}

    /// True when no field is set.
    public var isEmpty: Bool { self == ProfilePatch() }

    /// Validates typed inputs (nil = field absent) and collects every issue, each at its field's
    /// path. An input with no fields at all gets one issue at path `[]`.
    /// - Throws: `DomainError.validation` listing every failing field.
    public static func validate(
        name: String? = nil,
        givenName: String? = nil,
        familyName: String? = nil,
        picture: Nullable<String>? = nil,
        theme: String? = nil,
        language: String? = nil,
        timezone: String? = nil,
        emailNotifications: Bool? = nil,
        pushNotifications: Bool? = nil,
        weeklyReports: Bool? = nil,
        marketingEmails: Bool? = nil
    ) throws(DomainError) -> ProfilePatch {
        var issues = IssueCollector()
        var patch = ProfilePatch()
        if let name { patch.name = issues.check("name", name, NameRules.name) }
        if let givenName { patch.givenName = issues.check("givenName", givenName, NameRules.givenName) }
        if let familyName { patch.familyName = issues.check("familyName", familyName, NameRules.familyName) }
        if let picture { patch.picture = pictureChange(picture, &issues) }
        if let theme { patch.theme = issues.check("theme", theme, Theme.parse) }
        if let language { patch.language = issues.check("language", language, LanguageRule.validate) }
        if let timezone { patch.timezone = issues.check("timezone", timezone, TimeZoneRule.validate) }
        patch.emailNotifications = emailNotifications
        patch.pushNotifications = pushNotifications
        patch.weeklyReports = weeklyReports
        patch.marketingEmails = marketingEmails

        let anyGiven = name != nil || givenName != nil || familyName != nil || picture != nil || theme != nil
            || language != nil || timezone != nil || emailNotifications != nil || pushNotifications != nil
            || weeklyReports != nil || marketingEmails != nil
        if !anyGiven { issues.add([], DomainError.Message.atLeastOneField) }
        try issues.finish()
        return patch
    }

    private static func pictureChange(_ input: Nullable<String>, _ issues: inout IssueCollector) -> PictureChange? {
        guard case .value(let raw) = input, !RuleText.trim(raw).isEmpty else { return .clear }
        return issues.check("picture", raw, PictureRule.validate).map(PictureChange.set)
    }

    /// The profile and preferences after this patch; fields the patch does not carry keep their value.
    public func applied(
        to profile: UserProfile, preferences: Preferences
    ) -> (profile: UserProfile, preferences: Preferences) {
        var p = profile
        var prefs = preferences
        if let name { p.name = name }
        if let givenName { p.givenName = givenName }
        if let familyName { p.familyName = familyName }
        switch picture {
        case .set(let url): p.picture = url
        case .clear: p.picture = nil
        case nil: break
        }
        if let theme { prefs.theme = theme }
        if let language { prefs.language = language }
        if let timezone { prefs.timezone = timezone }
        if let emailNotifications { prefs.emailNotifications = emailNotifications }
        if let pushNotifications { prefs.pushNotifications = pushNotifications }
        if let weeklyReports { prefs.weeklyReports = weeklyReports }
        if let marketingEmails { prefs.marketingEmails = marketingEmails }
        return (p, prefs)
    }
}
