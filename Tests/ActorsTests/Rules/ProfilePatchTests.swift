import Testing
@testable import Actors

@Suite("users.update patch")
struct ProfilePatchTests {
    @Test func emptyPatchIsRejectedAtTheRoot() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in try ProfilePatch.validate() }
        #expect(issues == [FieldIssue(path: [], message: "At least one field must be provided")])
    }

    @Test func collectsEveryIssueWithItsPath() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try ProfilePatch.validate(
                name: "   ", givenName: "ok", familyName: String(repeating: "f", count: 101),
                picture: .value("ftp://x.com/p.png"), theme: "blue", language: "EN", timezone: "Mars/Phobos",
                emailNotifications: true)
        }
        #expect(RulesTestSupport.paths(issues) == [
            ["name"], ["familyName"], ["picture"], ["theme"], ["language"], ["timezone"],
        ])
        #expect(issues?.first?.message == "Name must not be empty")
        #expect(issues?.last?.message == "Timezone must be a valid IANA time zone")
    }

    @Test func normalisesValidFields() throws {
        let patch = try ProfilePatch.validate(
            name: "  Ada  ", givenName: " Ada", familyName: "Lovelace ", picture: .value(" https://e.com/a.png "),
            theme: "dark", language: "fr", timezone: "Europe/Paris",
            emailNotifications: false, pushNotifications: true, weeklyReports: true, marketingEmails: true)
        #expect(patch.name == "Ada")
        #expect(patch.givenName == "Ada")
        #expect(patch.familyName == "Lovelace")
        #expect(patch.picture == .set("https://e.com/a.png"))
        #expect(patch.theme == .dark)
        #expect(!patch.isEmpty)
    }

    @Test func appliesOnlyGivenFields() throws {
        let profile = UserProfile(name: "Old", givenName: "G", familyName: "F", picture: "https://e.com/old.png")
        let patch = try ProfilePatch.validate(name: "New", timezone: "America/Argentina/Buenos_Aires", weeklyReports: true)
        let (p, prefs) = patch.applied(to: profile, preferences: .defaults)
        #expect(p == UserProfile(name: "New", givenName: "G", familyName: "F", picture: "https://e.com/old.png"))
        var expected = Preferences.defaults
        expected.timezone = "America/Argentina/Buenos_Aires"
        expected.weeklyReports = true
        #expect(prefs == expected)
    }

    @Test func appliesEveryPreference() throws {
        let patch = try ProfilePatch.validate(
            theme: "light", language: "de", timezone: "UTC",
            emailNotifications: false, pushNotifications: true, weeklyReports: true, marketingEmails: true)
        let (_, prefs) = patch.applied(to: UserProfile(), preferences: .defaults)
        #expect(prefs == Preferences(theme: .light, language: "de", timezone: "UTC", emailNotifications: false,
                                     pushNotifications: true, weeklyReports: true, marketingEmails: true))
    }

    @Test(arguments: [Nullable<String>.null, .value(""), .value("   ")])
    func nullOrEmptyPictureClears(input: Nullable<String>) throws {
        let patch = try ProfilePatch.validate(picture: input)
        #expect(patch.picture == .clear)
        let (p, _) = patch.applied(to: UserProfile(name: "A", picture: "https://e.com/a.png"), preferences: .defaults)
        #expect(p.picture == nil)
        #expect(p.name == "A")
    }

    @Test func booleansAloneAreAValidPatch() throws {
        let patch = try ProfilePatch.validate(marketingEmails: false)
        #expect(patch.marketingEmails == false)
        #expect(patch.name == nil)
    }

    @Test func fieldLists() {
        #expect(ProfilePatch.fieldNames.count == 11)
        #expect(ProfilePatch.immutableFields == ["email", "id"])
    }
}
