import Actors
import Protocol

/// `auth.*`, `users.*` and `test.validation` (SPEC §6.2).
enum IdentityMethods {
    static let signupParams: [ParamSpec] = [
        ParamSpec("email", .string, required: true, summary: "Email address (unique, case-insensitive)", rule: rule(EmailRule.normalize)),
        ParamSpec("password", .string, required: true, summary: "8 to 256 characters", rule: rule(PasswordRule.validate)),
        ParamSpec("name", .string, summary: "Display name, 1 to 255 characters", rule: rule(NameRules.name)),
    ]

    static func signupInput(_ params: JSONObject) throws(DomainError) -> SignupInput {
        try SignupInput.validate(email: params.string("email")!, password: params.string("password")!, name: params.string("name"))
    }

    static func methods(identity: Identity) -> [MethodSpec] {
        [
            MethodSpec("test.validation", summary: "Validate signup params without creating anything", params: signupParams) { call throws(RPCError) in
                let input = try await domain { () throws(DomainError) in try signupInput(call.params) }
                let data: JSON = ["email": .string(input.email), "password": "***", "name": JSON(input.name)]
                return RPCResult(["success": true, "message": "Validation passed", "data": data])
            },
            MethodSpec("auth.signup", summary: "Create an account", params: signupParams) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await identity.signup(try signupInput(call.params))
                }
                return RPCResult(["success": true, "user": Views.userSummary(outcome.value)], fence: outcome.fence)
            },
            MethodSpec(
                "auth.login", summary: "Sign in; returns a session token",
                params: [
                    ParamSpec("email", .string, required: true, summary: "Email address"),
                    ParamSpec("password", .string, required: true, summary: "Password"),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await identity.login(email: call.params.string("email")!, password: call.params.string("password")!)
                }
                let login = outcome.value
                return RPCResult(
                    [
                        "success": true, "user": Views.userSummary(login.user),
                        "session": ["token": .string(login.token), "expiresAt": JSON(login.session.expiresAt)],
                        "tenantId": JSON(login.session.activeTenantID),
                    ], fence: outcome.fence)
            },
            MethodSpec("auth.logout", summary: "End this session", access: .session) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await identity.logout(call.session!) }
                return RPCResult(["success": true, "message": "Logged out successfully"], fence: outcome.fence)
            },
            ActorTurn.identity(
                "users.me", summary: "The signed-in user's profile and preferences", access: .session, on: identity
            ) { identity, call throws(DomainError) in
                try Views.me(identity.me(call.session!))
            },
            ActorTurn.identity(
                "users.update", summary: "Change profile fields and preferences; returns the users.me shape",
                access: .session, params: updateParams, rejected: ["email": notUpdatable, "id": notUpdatable],
                check: { params in
                    ProfilePatch.fieldNames.contains(where: { params[$0] != nil })
                        ? [] : [([], DomainError.Message.atLeastOneField)]
                },
                on: identity
            ) { identity, call throws(DomainError) in
                let p = call.params
                let patch = try ProfilePatch.validate(
                    name: p.string("name"), givenName: p.string("givenName"), familyName: p.string("familyName"),
                    picture: p.nullableString("picture"), theme: p.string("theme"), language: p.string("language"),
                    timezone: p.string("timezone"), emailNotifications: p.bool("emailNotifications"),
                    pushNotifications: p.bool("pushNotifications"), weeklyReports: p.bool("weeklyReports"),
                    marketingEmails: p.bool("marketingEmails"))
                return try Views.me(identity.update(call.session!, patch))
            },
        ]
    }

    static let notUpdatable = DomainError.Message.fieldNotUpdatable

    static let updateParams: [ParamSpec] = [
        ParamSpec("name", .string, summary: "Display name, 1 to 255 characters", rule: rule(NameRules.name)),
        ParamSpec("givenName", .string, summary: "1 to 100 characters", rule: rule(NameRules.givenName)),
        ParamSpec("familyName", .string, summary: "1 to 100 characters", rule: rule(NameRules.familyName)),
        ParamSpec(
            "picture", .string, nullable: true, summary: "http(s) URL; null or \"\" removes it",
            rule: { value in
                guard case let .string(text) = value, !text.allSatisfy(\.isWhitespace) else { return nil }
                return rule(PictureRule.validate)(value)
            }),
        ParamSpec("theme", .string, summary: "light, dark or system", rule: rule(Theme.parse)),
        ParamSpec("language", .string, summary: "ISO 639-1 code, two lowercase letters", rule: rule(LanguageRule.validate)),
        ParamSpec("timezone", .string, summary: "IANA time zone, e.g. Europe/Paris", rule: rule(TimeZoneRule.validate)),
        ParamSpec("emailNotifications", .boolean),
        ParamSpec("pushNotifications", .boolean),
        ParamSpec("weeklyReports", .boolean),
        ParamSpec("marketingEmails", .boolean),
    ]
}
