import Testing
@testable import Actors

@Suite("Password change and reset params")
struct PasswordChangeTests {
    @Test func aNewPasswordEqualToTheCurrentOneIsRefused() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "correct horse", newPassword: "correct horse")
        }
        #expect(issues == [FieldIssue(field: "newPassword", message: DomainError.Message.newPasswordSameAsCurrent)])
    }

    @Test func passwordsAreComparedExactlyAsTyped() {
        let issues = RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "correct horse", newPassword: "correct horse ")
        }
        #expect(issues == nil)
    }

    @Test func theNewPasswordFollowsThePasswordRule() {
        let change = RulesTestSupport.issues { () throws(DomainError) in
            try PasswordChange.validateChange(currentPassword: "whatever1", newPassword: "short")
        }
        #expect(change == [FieldIssue(field: "newPassword", message: PasswordRule.tooShortMessage)])
        let reset = RulesTestSupport.issues { () throws(DomainError) in try PasswordChange.validateReset(newPassword: "short") }
        #expect(reset == [FieldIssue(field: "newPassword", message: PasswordRule.tooShortMessage)])
    }
}
