import Testing
@testable import Actors

@Suite("Email rule")
struct EmailRuleTests {
    typealias O = RulesTestSupport.Outcome<String>

    /// Input → normalised address.
    static let valid: [(String, String)] = [
        ("user@example.com", "user@example.com"),
        ("  User@Example.COM \n", "user@example.com"),
        ("first.last@sub.example.co.uk", "first.last@sub.example.co.uk"),
        ("a+tag@example.io", "a+tag@example.io"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("x!#$%&'*+-/=?^_`{|}~@example.com", "x!#$%&'*+-/=?^_`{|}~@example.com"),
        ("a@b-c.de", "a@b-c.de"),
        ("1234@123.example.com", "1234@123.example.com"),
        ("\(String(repeating: "l", count: 64))@example.com", "\(String(repeating: "l", count: 64))@example.com"),
    ]

    static let invalid: [String] = [
        "plainaddress",
        "@example.com",
        "user@",
        "user@@example.com",
        "a@b@example.com",
        "user@example",          // no dot
        "user@example.c",        // TLD too short
        "user@example.c0m",      // TLD not letters
        "user@-example.com",     // label starts with hyphen
        "user@example-.com",     // label ends with hyphen
        "user@exa_mple.com",
        "user@example..com",
        "user@example.com.",
        "user@.example.com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "us er@example.com",
        "user@exa mple.com",
        "us\u{0}er@example.com",
        "us\ter@example.com",
        "\"quoted\"@example.com",
        "josé@example.com",
        "user@exämple.com",
        "user@[127.0.0.1]",
        "(comment)user@example.com",
        "\(String(repeating: "l", count: 65))@example.com",
        "user@\(String(repeating: "d", count: 64)).com",
    ]

    @Test(arguments: valid)
    func accepts(input: String, normalised: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try EmailRule.normalize(input) } == O.ok(normalised))
    }

    @Test(arguments: invalid)
    func rejects(input: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try EmailRule.normalize(input) } == O.rejected("Invalid email address"))
    }

    @Test func emptyIsRequired() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try EmailRule.normalize("   ") } == O.rejected("Email is required"))
    }

    @Test func lengthLimitIs254() {
        // 64 + 1 + 189 = 254 characters: 3 labels of 60, 1 of 6 (with dots 60*3+3+6 = 189).
        let local = String(repeating: "a", count: 64)
        let label = String(repeating: "b", count: 60)
        let at254 = "\(local)@\(label).\(label).\(label).abcdef"
        #expect(at254.count == 254)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try EmailRule.normalize(at254) } == O.ok(at254))
        let at255 = "\(local)@\(label).\(label).\(label).abcdefg"
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try EmailRule.normalize(at255) }
            == O.rejected("Email must be at most 254 characters"))
    }

    @Test func lookupKeyTrimsAndLowercasesWithoutValidating() {
        #expect(EmailRule.lookupKey("  Foo@Bar.COM ") == "foo@bar.com")
        #expect(EmailRule.lookupKey("Not An Email") == "not an email")
    }
}
