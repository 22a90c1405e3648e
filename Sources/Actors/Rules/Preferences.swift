/// The UI theme a user prefers (SPEC §6.2).
public enum Theme: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case light, dark, system

    public static let invalidMessage = "Theme must be one of light, dark, system"

    /// Parses the wire value exactly (no trimming or case folding: it is an enumerated token).
    public static func parse(_ raw: String) throws(RuleViolation) -> Theme {
        guard let theme = Theme(rawValue: raw) else { throw RuleViolation(invalidMessage) }
        return theme
    }
}

/// `language` preference: exactly two lowercase ASCII letters, the shape of an ISO 639-1 code.
///
/// Only the shape is checked, not membership in the ISO list: the spec asks for "two lowercase
/// letters", and a client-side locale list is the better judge of which codes it can render.
public enum LanguageRule {
    public static let invalidMessage = "Language must be a two-letter lowercase ISO 639-1 code"

    /// Returns `raw` unchanged when it is two lowercase ASCII letters.
    public static func validate(_ raw: String) throws(RuleViolation) -> String {
        let bytes = raw.utf8
        guard bytes.count == 2, bytes.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else {
            throw RuleViolation(invalidMessage)
        }
        return raw
    }
}

/// A user's preferences as `users.me` returns them. A user who never set them has `defaults`.
public struct Preferences: Sendable, Equatable, Hashable, Codable {
    public var theme: Theme
    /// ISO 639-1 shaped code, see `LanguageRule`.
    public var language: String
    /// IANA zone identifier, see `TimeZoneRule`.
    public var timezone: String
    public var emailNotifications: Bool
    public var pushNotifications: Bool
    public var weeklyReports: Bool
    public var marketingEmails: Bool

    /// Creates preferences; every argument defaults to the SPEC §6.2 default.
    public init(
        theme: Theme = .system,
        language: String = "en",
        timezone: String = "UTC",
        emailNotifications: Bool = true,
        pushNotifications: Bool = false,
        weeklyReports: Bool = false,
        marketingEmails: Bool = false
    ) {
        self.theme = theme
        self.language = language
        self.timezone = timezone
        self.emailNotifications = emailNotifications
        self.pushNotifications = pushNotifications
        self.weeklyReports = weeklyReports
        self.marketingEmails = marketingEmails
    }

    /// SPEC §6.2 defaults: system, en, UTC, email notifications on, everything else off.
    public static let defaults = Preferences()
}
