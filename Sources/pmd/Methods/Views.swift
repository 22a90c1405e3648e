import Actors
import Protocol

/// The JSON shapes of SPEC §6, in one place so every method renders an entity the same way.
enum Views {
    static func userSummary(_ user: User) -> JSON {
        ["id": JSON(user.id), "email": .string(user.email), "name": JSON(user.profile.name)]
    }

    static func preferences(_ p: Preferences) -> JSON {
        [
            "theme": .string(p.theme.rawValue), "language": .string(p.language), "timezone": .string(p.timezone),
            "emailNotifications": .bool(p.emailNotifications), "pushNotifications": .bool(p.pushNotifications),
            "weeklyReports": .bool(p.weeklyReports), "marketingEmails": .bool(p.marketingEmails),
        ]
    }

    /// `users.me` and `users.update`.
    static func me(_ user: User, tenantID: ID?) -> JSON {
        [
            "id": JSON(user.id), "email": .string(user.email), "name": JSON(user.profile.name),
            "givenName": JSON(user.profile.givenName), "familyName": JSON(user.profile.familyName),
            "picture": JSON(user.profile.picture), "createdAt": JSON(user.createdAt), "updatedAt": JSON(user.updatedAt),
            "tenantId": JSON(tenantID), "preferences": preferences(user.effectivePreferences),
        ]
    }
}
