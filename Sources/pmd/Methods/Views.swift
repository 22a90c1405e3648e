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

extension Views {
    static func tenant(_ tenant: Tenant) -> JSON { ["id": JSON(tenant.id), "name": .string(tenant.name)] }

    static func company(_ c: Company) -> JSON {
        [
            "id": JSON(c.id), "tenantId": JSON(c.tenantID), "name": .string(c.name), "workspaceName": .string(c.workspaceName),
            "logoUrl": JSON(c.logoURL), "status": .string(c.status.rawValue), "createdAt": JSON(c.createdAt),
            "updatedAt": JSON(c.updatedAt),
        ]
    }

    static func member(_ m: Membership, _ user: User) -> JSON {
        [
            "userId": JSON(m.userID), "email": .string(user.email), "name": JSON(user.profile.name),
            "role": .string(m.role.rawValue), "roles": [.string(m.role.rawValue)], "joinedAt": JSON(m.joinedAt),
        ]
    }

    static func invitation(_ i: Invitation) -> JSON {
        [
            "id": JSON(i.id), "email": .string(i.email), "role": .string(i.role.rawValue), "createdAt": JSON(i.createdAt),
            "expiresAt": JSON(i.expiresAt),
        ]
    }

    /// `{"<key>":[…],"count":n}`, the shape of every list.
    static func list(_ key: String, _ items: [JSON]) -> JSON {
        .object(JSONObject([(key, JSON.array(items)), ("count", JSON(items.count))]))
    }
}
