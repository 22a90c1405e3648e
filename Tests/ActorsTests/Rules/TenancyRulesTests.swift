import Testing
@testable import Actors

@Suite("Tenancy rules")
struct TenancyRulesTests {
    typealias O = RulesTestSupport.Outcome<String>

    @Test func tenantName() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.tenantName("  Acme  ") } == O.ok("Acme"))
        let n100 = String(repeating: "t", count: 100)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.tenantName(n100) } == O.ok(n100))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.tenantName(n100 + "t") }
            == O.rejected("Tenant name must be at most 100 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.tenantName(" ") }
            == O.rejected("Tenant name must not be empty"))
    }

    @Test func companyName() {
        let n255 = String(repeating: "c", count: 255)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.companyName(" \(n255) ") } == O.ok(n255))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.companyName(n255 + "c") }
            == O.rejected("Company name must be at most 255 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.companyName("") }
            == O.rejected("Company name must not be empty"))
    }

    @Test func createReportsBothFields() throws {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try TenancyRules.validateCreate(tenantName: "", companyName: String(repeating: "x", count: 256))
        }
        #expect(RulesTestSupport.paths(issues) == [["tenantName"], ["companyName"]])
        let ok = try TenancyRules.validateCreate(tenantName: " T ", companyName: " C ")
        #expect(ok.tenantName == "T" && ok.companyName == "C")
    }

    @Test func companyPatch() throws {
        #expect(RulesTestSupport.issues { () throws(DomainError) in try CompanyPatch.validate() }
            == [FieldIssue(path: [], message: "At least one field must be provided")])
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try CompanyPatch.validate(name: " ", logoUrl: .value("nope"))
        }) == [["name"], ["logoUrl"]])
        #expect(try CompanyPatch.validate(logoUrl: .null).logoURL == .clear)
        #expect(try CompanyPatch.validate(logoUrl: .value(" ")).logoURL == .clear)
        let p = try CompanyPatch.validate(name: " New ", logoUrl: .value("https://e.com/l.png"))
        #expect(p.name == "New" && p.logoURL == .set("https://e.com/l.png"))
    }
}
