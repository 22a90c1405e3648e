import Testing
@testable import Actors

@Suite("Name rules")
struct NameRulesTests {
    typealias O = RulesTestSupport.Outcome<String>

    @Test func trimsAndBoundsName() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("  Ada Lovelace\t") } == O.ok("Ada Lovelace"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("X") } == O.ok("X"))
        let n255 = String(repeating: "n", count: 255)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("  " + n255 + "  ") } == O.ok(n255))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name(n255 + "n") }
            == O.rejected("Name must be at most 255 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name("") } == O.rejected("Name must not be empty"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.name(" \n\t\u{3000} ") }
            == O.rejected("Name must not be empty"))
    }

    @Test func givenAndFamilyAreBoundedTo100() {
        let n100 = String(repeating: "é", count: 100)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.givenName(n100) } == O.ok(n100))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.givenName(n100 + "é") }
            == O.rejected("Given name must be at most 100 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.familyName(" " + n100 + " ") } == O.ok(n100))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.familyName(n100 + "x") }
            == O.rejected("Family name must be at most 100 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.givenName("   ") }
            == O.rejected("Given name must not be empty"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.familyName("") }
            == O.rejected("Family name must not be empty"))
    }

    /// The shortcuts (visible ASCII at both ends, at most `max` bytes) must not change an answer
    /// the Character-by-Character rules would give.
    @Test func shortcutsAgreeWithTheFullRules() {
        // Unicode whitespace at one end, visible ASCII at the other: still trimmed.
        #expect(RuleText.trim("\u{00A0}Ada") == "Ada")
        #expect(RuleText.trim("Ada\u{3000}") == "Ada")
        #expect(RuleText.trim("\u{2003}Ada Lovelace\u{2028}") == "Ada Lovelace")
        // A combining mark after the last ASCII letter belongs to it: nothing to trim.
        #expect(RuleText.trim("Jose\u{0301}") == "Jose\u{0301}")
        #expect(RuleText.trim("Ada") == "Ada")
        // 100 decomposed é are 300 bytes but 100 Characters: the byte shortcut must not reject...
        let decomposed = String(repeating: "e\u{0301}", count: 100)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.givenName(decomposed) } == O.ok(decomposed))
        // ...and a 101-Character value of 101 bytes must still be counted and rejected.
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try NameRules.givenName(String(repeating: "a", count: 101)) }
            == O.rejected("Given name must be at most 100 characters"))
    }
}
