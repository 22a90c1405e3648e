import Testing
@testable import Actors

/// Names go into mail bodies and headers: no name field may carry a control character, a line
/// break of any kind, or the C1 controls some programs take for line breaks (NEL, U+0085).
@Suite("Characters in names")
struct NameCharactersTests {
    typealias Rule = @Sendable (String) throws(RuleViolation) -> String

    static let rules: [(label: String, rule: Rule)] = [
        ("Name", NameRules.name), ("Given name", NameRules.givenName), ("Family name", NameRules.familyName),
        ("Tenant name", TenancyRules.tenantName), ("Company name", TenancyRules.companyName),
    ]

    /// Every C0 control, DEL, every C1 control, and the Unicode line and paragraph separators.
    static let forbidden: [Unicode.Scalar] =
        (0x00...0x1F).map { Unicode.Scalar(UInt8($0)) } + (0x7F...0x9F).map { Unicode.Scalar(UInt8($0)) }
        + ["\u{2028}", "\u{2029}"]

    @Test func everyNameRuleRefusesEveryControlCharacterInside() {
        for (label, rule) in Self.rules {
            for scalar in Self.forbidden {
                let value = "Ada" + String(scalar) + "Lovelace"
                #expect(
                    RulesTestSupport.run { () throws(RuleViolation) in try rule(value) }
                        == .rejected("\(label) must not contain control characters or line breaks"),
                    "U+\(String(scalar.value, radix: 16)) in \(label)")
            }
        }
    }

    @Test func crlfInsideANameIsRefusedThoughItIsOneCharacter() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("Ada\r\nBcc: x@example.com") }
            == .rejected("Name must not contain control characters or line breaks"))
    }

    @Test func lineBreaksAroundANameAreTrimmedAway() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("\r\n Ada \n") } == .ok("Ada"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.tenantName("\u{2028}Acme\u{85}") } == .ok("Acme"))
    }

    @Test func printableTextOfAnyScriptIsAccepted() {
        for name in ["José Ñúñez", "李小龍", "אבי כהן", "O'Brien-Smith", "👩‍👩‍👧 family", "Zoë\u{200D}", "\u{A0}x\u{A0}y", "¡Hola!"] {
            #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name(name) } != .rejected(
                "Name must not contain control characters or line breaks"), "\(name)")
        }
    }

    @Test func signupAndPatchesListEveryFailingNameField() {
        let bad = "Ada\u{0}"
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try SignupInput.validate(email: "x", password: "short", name: bad)
        }) == [["email"], ["password"], ["name"]])
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try ProfilePatch.validate(name: bad, givenName: bad, familyName: bad)
        }) == [["name"], ["givenName"], ["familyName"]])
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try TenancyRules.validateCreate(tenantName: bad, companyName: bad)
        }) == [["tenantName"], ["companyName"]])
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try CompanyPatch.validate(name: bad, logoUrl: .value("ftp://x"))
        }) == [["name"], ["logoUrl"]])
    }
}
