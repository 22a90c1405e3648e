import Testing
@testable import Actors

@Suite("Signup and password change inputs")
struct SignupInputTests {
    @Test func validInputIsNormalised() throws {
        let s = try SignupInput.validate(email: " New.User@Example.com ", password: " pass word ", name: "  Ann ")
        #expect(s == SignupInput(email: "new.user@example.com", password: " pass word ", name: "Ann"))
        #expect(s.redacted.password == "***")
        #expect(s.redacted.email == "new.user@example.com")
    }

    @Test func nameIsOptional() throws {
        #expect(try SignupInput.validate(email: "a@b.co", password: "12345678", name: nil).name == nil)
    }

    @Test func reportsEveryFailingField() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try SignupInput.validate(email: "nope", password: "short", name: "  ")
        }
        #expect(issues == [
            FieldIssue(path: ["email"], message: "Invalid email address"),
            FieldIssue(path: ["password"], message: "Password must be at least 8 characters"),
            FieldIssue(path: ["name"], message: "Name must not be empty"),
        ])
    }

    @Test func onlyTheFailingFieldIsReported() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try SignupInput.validate(email: "ok@example.com", password: String(repeating: "p", count: 257), name: nil)
        }
        #expect(issues == [FieldIssue(path: ["password"], message: "Password must be at most 256 characters")])
    }

    @Test func newPasswordMustDiffer() {
        let same = RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "correct horse", newPassword: "correct horse")
        }
        #expect(same == [FieldIssue(path: ["newPassword"], message: "New password must be different from the current password")])
        let short = RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "x", newPassword: "x")
        }
        // Too short wins; the "same" message would add nothing.
        #expect(short == [FieldIssue(path: ["newPassword"], message: "Password must be at least 8 characters")])
        #expect(RulesTestSupport.error { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "correct horse", newPassword: "correct horse ")
        } == nil)
    }

    @Test func resetChecksTheNewPassword() {
        #expect(RulesTestSupport.paths(RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateReset(newPassword: "1234567")
        }) == [["newPassword"]])
        #expect(RulesTestSupport.error { () throws(DomainError) in try PasswordChange.validateReset(newPassword: "12345678") } == nil)
    }
}
