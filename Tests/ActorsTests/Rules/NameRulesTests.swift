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
}
