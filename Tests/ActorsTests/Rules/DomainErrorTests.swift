import Testing
@testable import Actors

@Suite("DomainError and IssueCollector")
struct DomainErrorTests {
    struct Row: Sendable {
        let error: DomainError
        let code: Int
        let kind: String
    }

    /// SPEC §4's table, one row per case.
    static let table: [Row] = [
        Row(error: .validation([FieldIssue(field: "email", message: "x")]), code: 400, kind: "validation_failed"),
        Row(error: .badRequest("b"), code: 400, kind: "bad_request"),
        Row(error: .unauthorized("u"), code: 401, kind: "unauthorized"),
        Row(error: .forbidden("f"), code: 403, kind: "forbidden"),
        Row(error: .notFound("n"), code: 404, kind: "not_found"),
        Row(error: .conflict("c"), code: 409, kind: "conflict"),
        Row(error: .rateLimited(retryAfter: 30, message: "r"), code: 429, kind: "rate_limited"),
        Row(error: .unavailable("s"), code: 503, kind: "unavailable"),
        Row(error: .internal("i"), code: 500, kind: "internal"),
    ]

    @Test(arguments: table)
    func codeAndKind(row: Row) {
        #expect(row.error.code == row.code)
        #expect(row.error.kind == row.kind)
    }

    @Test func messagesAndData() {
        #expect(DomainError.validation([]).message == "Validation failed")
        #expect(DomainError.conflict("dup").message == "dup")
        #expect(DomainError.rateLimited(retryAfter: 7, message: "slow").retryAfter == 7)
        #expect(DomainError.notFound("x").retryAfter == nil)
        let issue = FieldIssue(path: ["a", "b"], message: "m")
        #expect(DomainError.validation([issue]).fieldIssues == [issue])
        #expect(DomainError.forbidden("x").fieldIssues.isEmpty)
    }

    @Test func fixedErrorsUseTheSpecWording() {
        #expect(DomainError.emailAlreadyRegistered == .conflict("Email already registered"))
        #expect(DomainError.invalidCredentials == .unauthorized("Invalid email or password"))
        #expect(DomainError.noTenantContext == .badRequest("No tenant context found"))
        #expect(DomainError.forbiddenAction == .forbidden("Forbidden"))
        #expect(DomainError.companyNotFound == .notFound("Company not found"))
        #expect(DomainError.invalidResetToken == .badRequest("Invalid or expired reset token"))
        #expect(DomainError.currentPasswordIncorrect == .forbidden("Current password is incorrect"))
        #expect(DomainError.memberNotFound == .notFound("User not found or not a member of this tenant"))
        #expect(DomainError.cannotRemoveSelf == .forbidden("You cannot remove yourself from the tenant"))
        #expect(DomainError.alreadyMemberOrInvited == .conflict("User is already a member or has a pending invitation"))
        #expect(DomainError.planNotFound == .notFound("Plan not found"))
        #expect(DomainError.priceMismatch == .badRequest("Price ID does not match plan"))
        #expect(DomainError.noStripeCustomer == .notFound("No Stripe customer found for this tenant"))
        #expect(DomainError.billingNotConfigured == .unavailable("Billing is not configured"))
        #expect(DomainError.tooManyLoginAttempts(retryAfter: 0).retryAfter == 1)
    }

    @Test func collectorKeepsEveryIssueInOrder() {
        var c = IssueCollector()
        #expect(c.isValid)
        let a: Int? = c.check("a") { () throws(RuleViolation) in throw RuleViolation("bad a") }
        let b: Int? = c.check("b") { () throws(RuleViolation) in 2 }
        let d: Int? = c.check(path: ["d", "e"]) { () throws(RuleViolation) in throw RuleViolation("bad d") }
        let e = c.check("email", " A@B.co ", EmailRule.normalize)
        #expect(a == nil && b == 2 && d == nil && e == "a@b.co")
        #expect(c.issues == [FieldIssue(path: ["a"], message: "bad a"), FieldIssue(path: ["d", "e"], message: "bad d")])
        #expect(throws: DomainError.validation(c.issues)) { try c.finish() }
        #expect(throws: Never.self) { try IssueCollector().finish() }
    }
}
