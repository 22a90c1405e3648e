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

    /// `users.me` and `users.update`, written straight to bytes: the hottest answer pmd gives.
    /// `users.me` and `users.update`'s answer, straight from the identity turn's outcome (borrowed):
    /// taking its parts apart in the handler copied the outcome, user and all, twice per request.
    static func me(_ outcome: borrowing Outcome<Identity.Me>) -> RPCResult {
        RPCResult(raw: me(outcome.value.user, tenantID: outcome.value.tenantID), fence: outcome.fence)
    }

    static func me(_ user: User, tenantID: ID?) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        let p = user.effectivePreferences
        w.object { w in
            w.field("id", text: user.id)
            w.field("email", string: user.email)
            w.field("name", string: user.profile.name)
            w.field("givenName", string: user.profile.givenName)
            w.field("familyName", string: user.profile.familyName)
            w.field("picture", string: user.profile.picture)
            w.field("createdAt", text: user.createdAt)
            w.field("updatedAt", text: user.updatedAt)
            w.field("tenantId", text: tenantID)
            w.field("preferences") { w in
                w.object { w in
                    w.field("theme", string: p.theme.rawValue)
                    w.field("language", string: p.language)
                    w.field("timezone", string: p.timezone)
                    w.field("emailNotifications", bool: p.emailNotifications)
                    w.field("pushNotifications", bool: p.pushNotifications)
                    w.field("weeklyReports", bool: p.weeklyReports)
                    w.field("marketingEmails", bool: p.marketingEmails)
                }
            }
        }
        return w.finish()
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

extension ID: JSONText {
    public func writeJSONText<Sink: JSONSink & ~Copyable>(into sink: inout Sink) { withText { sink.append(bytes: $0) } }
}

extension Timestamp: JSONText {
    public func writeJSONText<Sink: JSONSink & ~Copyable>(into sink: inout Sink) { withText { sink.append(bytes: $0) } }
}
