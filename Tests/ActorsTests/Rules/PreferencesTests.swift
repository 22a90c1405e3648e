import Testing
@testable import Actors

@Suite("Preferences")
struct PreferencesTests {
    @Test func defaultsMatchTheSpec() {
        let d = Preferences.defaults
        #expect(d.theme == .system)
        #expect(d.language == "en")
        #expect(d.timezone == "UTC")
        #expect(d.emailNotifications == true)
        #expect(d.pushNotifications == false)
        #expect(d.weeklyReports == false)
        #expect(d.marketingEmails == false)
    }

    @Test(arguments: [("light", Theme.light), ("dark", .dark), ("system", .system)])
    func validThemes(raw: String, theme: Theme) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try Theme.parse(raw) } == .ok(theme))
    }

    @Test(arguments: ["", "Light", "DARK", " dark", "auto", "blue"])
    func invalidThemes(raw: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try Theme.parse(raw) }
            == .rejected("Theme must be one of light, dark, system"))
    }

    @Test(arguments: ["en", "fr", "de", "pt", "zz"])
    func validLanguages(raw: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try LanguageRule.validate(raw) } == .ok(raw))
    }

    @Test(arguments: ["", "e", "EN", "En", "eng", "en-US", "en_US", " en", "é1", "1a", "ée"])
    func invalidLanguages(raw: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try LanguageRule.validate(raw) }
            == .rejected("Language must be a two-letter lowercase ISO 639-1 code"))
    }

    @Test(arguments: [
        "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Europe/Paris", "America/Argentina/Buenos_Aires",
        "America/New_York", "Australia/Sydney", "Pacific/Auckland", "Africa/Lagos", "Etc/GMT+5",
        // Current IANA names missing from Foundation's known list on Linux (ICU has the old ones).
        "Asia/Kolkata", "Asia/Calcutta", "Asia/Saigon", "Asia/Ho_Chi_Minh",
    ])
    func realZones(zone: String) {
        #expect(TimeZoneRule.isKnown(zone))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TimeZoneRule.validate(zone) } == .ok(zone))
    }

    @Test(arguments: [
        "", "Mars/Phobos", "GMT+5", "UTC+1", "europe/paris", "EUROPE/PARIS", " Europe/Paris",
        "Europe/Paris ", "Europe", "Paris", "CEST", "PST", "+02:00", "Europe/Atlantis",
        "Etc/GMT+13", "Asia/GMT+5", "Europe/GMT+5", "America/Foo", "Etc/GMT+0500",
        // Legacy backward-compatibility links are not accepted (documented in TimeZoneRule).
        "US/Eastern", "CET",
    ])
    func fakeZones(zone: String) {
        #expect(!TimeZoneRule.isKnown(zone))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TimeZoneRule.validate(zone) }
            == .rejected("Timezone must be a valid IANA time zone"))
    }
}
