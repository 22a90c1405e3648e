import Actors
import Protocol

/// `auth.forgotPassword`, `auth.resetPassword` and `users.changePassword` (SPEC §6.2).
enum PasswordMethods {
    /// The one answer of `auth.forgotPassword`, known email or not (SPEC §6.2, verbatim).
    static let forgotAnswer: JSON = [
        "success": true,
        "message": "If an account with that email exists, a password reset link has been sent.",
    ]

    static func methods(identity: Identity) -> [MethodSpec] {
        [
            MethodSpec(
                "auth.forgotPassword", summary: "Mail a password-reset link; the same answer whether or not the account exists",
                params: [
                    ParamSpec("email", .string, required: true, summary: "Email address of the account", rule: rule(EmailRule.normalize)),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    // The param rule has already accepted the address; this yields its normal form.
                    let email: String
                    do throws(RuleViolation) {
                        email = try EmailRule.normalize(call.params.string("email")!)
                    } catch {
                        throw .invalid(["email"], error.message)
                    }
                    return try await identity.forgotPassword(email: email)
                }
                return RPCResult(forgotAnswer, fence: outcome.fence)
            },
            MethodSpec(
                "auth.resetPassword", summary: "Set a new password with the token from a reset mail; ends every session of the user",
                params: [
                    ParamSpec("token", .string, required: true, summary: "The token from the reset link"),
                    ParamSpec("newPassword", .string, required: true, summary: "8 to 256 characters", rule: rule(PasswordRule.validate)),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    let password = try PasswordChange.validateReset(newPassword: call.params.string("newPassword")!)
                    return try await identity.resetPassword(token: call.params.string("token")!, newPassword: password)
                }
                return RPCResult(["success": true, "message": "Password has been reset successfully."], fence: outcome.fence)
            },
            MethodSpec(
                "users.changePassword", summary: "Change the password; ends the user's other sessions",
                access: .session,
                params: [
                    ParamSpec("currentPassword", .string, required: true, summary: "The password in use now"),
                    ParamSpec("newPassword", .string, required: true, summary: "8 to 256 characters, different from the current one", rule: rule(PasswordRule.validate)),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    let current = call.params.string("currentPassword")!
                    let new = try PasswordChange.validateChange(currentPassword: current, newPassword: call.params.string("newPassword")!)
                    return try await identity.changePassword(call.session!, currentPassword: current, newPassword: new)
                }
                return RPCResult(["success": true, "message": "Password has been changed successfully."], fence: outcome.fence)
            },
        ]
    }
}
