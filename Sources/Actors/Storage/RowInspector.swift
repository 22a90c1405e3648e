import Persistence

/// Human-readable views of stored rows for `pmd wal tail`, with secrets left out: password
/// hashes are never printed, token hashes are shortened.
public enum RowInspector {
    public static func key(table: String, _ key: [UInt8]) -> String {
        switch table {
        case Tables.sessions: shortHash(key)
        // Keyed by user id; rows of an older pmd were keyed by token hash.
        case Tables.resetTokens where key.count == 32: shortHash(key)
        case Tables.stripeEvents: String(decoding: key, as: UTF8.self)
        case Tables.subscriptions where key.count > 16:
            (key.withUnsafeBytes { try? ID(bytes: $0) }?.description ?? Hex.encode(key.prefix(16))) + "/"
                + String(decoding: key[16...], as: UTF8.self)
        default:
            key.count == 16 ? (key.withUnsafeBytes { try? ID(bytes: $0) }?.description ?? Hex.encode(key)) : Hex.encode(key)
        }
    }

    /// The row's fields as text (nil values for absent fields), or nil when the table has no
    /// decoder or the row does not decode.
    public static func fields(table: String, _ value: [UInt8]) -> [(String, String?)]? {
        value.withUnsafeBytes { row -> [(String, String?)]? in
            switch table {
            case Tables.users:
                guard let user = try? User(row: row) else { return nil }
                return [
                    ("id", user.id.description), ("email", user.email), ("name", user.profile.name),
                    ("givenName", user.profile.givenName), ("familyName", user.profile.familyName),
                    ("picture", user.profile.picture), ("passwordHash", "(redacted)"),
                    ("createdAt", user.createdAt.description), ("updatedAt", user.updatedAt.description),
                    ("lastTenantId", user.lastTenantID?.description),
                    ("preferences", user.preferences.map { "\($0.theme.rawValue),\($0.language),\($0.timezone)" }),
                ]
            case Tables.sessions:
                let emptyKey = [UInt8](repeating: 0, count: 32)
                guard let session = emptyKey.withUnsafeBytes({ try? Session(key: $0, row: row) }) else { return nil }
                return [
                    ("userId", session.userID.description), ("createdAt", session.createdAt.description),
                    ("expiresAt", session.expiresAt.description), ("activeTenantId", session.activeTenantID?.description),
                ]
            case Tables.resetTokens:
                let userKey = [UInt8](repeating: 0, count: 16)
                guard let reset = userKey.withUnsafeBytes({ try? PasswordReset(key: $0, row: row) }) else { return nil }
                return [
                    ("requestedAt", reset.requestedAt.description), ("expiresAt", reset.expiresAt.description),
                    ("tokenHash", reset.tokenHash.map { shortHash($0.bytes) }),
                ]
            case Tables.outbox:
                let emptyKey = [UInt8](repeating: 0, count: 16)
                guard let entry = emptyKey.withUnsafeBytes({ try? OutboxEntry(key: $0, row: row) }) else { return nil }
                return [("createdAt", entry.createdAt.description), ("to", entry.to)] + contentFields(entry.content)
            case Tables.mailQuota:
                let emptyKey = [UInt8](repeating: 0, count: 16)
                guard let send = emptyKey.withUnsafeBytes({ try? MailSend(key: $0, row: row) }) else { return nil }
                return [("sentAt", send.sentAt.description), ("countsAgainst", send.scopes.map(\.description).joined(separator: ", "))]
            case Tables.plans, Tables.billingCustomers, Tables.subscriptions, Tables.stripeEvents:
                return billingFields(table: table, row)
            default:
                return nil
            }
        }
    }

    static func shortHash(_ bytes: [UInt8]) -> String { "sha256:" + Hex.encode(bytes.prefix(6)) + "…" }

    /// What an outbox row is about. Rows of version 2 hold no link; a mail an older pmd rendered
    /// in full carries one, so only its envelope is shown.
    private static func contentFields(_ content: MailContent) -> [(String, String?)] {
        switch content {
        case let .passwordReset(facts):
            [("kind", content.kind), ("userId", facts.userID.description), ("expiresAt", facts.expiresAt.description)]
        case let .invitation(facts):
            [
                ("kind", content.kind), ("tenantId", facts.tenantID.description),
                ("invitationId", facts.invitationID.description), ("tenantName", facts.tenantName),
                ("role", facts.role.rawValue), ("expiresAt", facts.expiresAt.description),
            ]
        case let .rendered(mail):
            [("kind", content.kind), ("subject", mail.subject), ("body", "(redacted)")]
        }
    }

    /// Billing rows hold no secrets; the key fields are decoded with a placeholder key.
    private static func billingFields(table: String, _ row: UnsafeRawBufferPointer) -> [(String, String?)]? {
        let idKey = [UInt8](repeating: 0, count: 16)
        switch table {
        case Tables.plans:
            guard let plan = idKey.withUnsafeBytes({ try? Plan(key: $0, row: row) }) else { return nil }
            let d = plan.definition
            return [
                ("name", d.name), ("position", String(plan.position)), ("active", String(d.active)),
                ("priceMonthly", d.priceMonthly), ("priceYearly", d.priceYearly),
                ("stripePriceIdMonthly", d.stripePriceIDMonthly), ("stripePriceIdYearly", d.stripePriceIDYearly),
                ("features", d.features.map { "\($0.key)=\($0.value)" }.joined(separator: ",")),
            ]
        case Tables.billingCustomers:
            guard let customer = idKey.withUnsafeBytes({ try? BillingCustomer(key: $0, row: row) }) else { return nil }
            return [("stripeCustomerId", customer.stripeID), ("createdAt", customer.createdAt.description)]
        case Tables.subscriptions:
            guard let s = idKey.withUnsafeBytes({ try? Subscription(key: $0, row: row) }) else { return nil }
            return [
                ("id", s.id.description), ("customer", s.customerID), ("status", s.status), ("priceId", s.priceID),
                ("planId", s.planID?.description), ("currentPeriodStart", s.currentPeriodStart?.description),
                ("currentPeriodEnd", s.currentPeriodEnd?.description), ("cancelAtPeriodEnd", String(s.cancelAtPeriodEnd)),
                ("asOf", String(s.asOf)),
            ]
        case Tables.stripeEvents:
            guard let event = ([UInt8]() as [UInt8]).withUnsafeBytes({ try? ProcessedEvent(key: $0, row: row) }) else { return nil }
            return [("created", String(event.created))]
        default:
            return nil
        }
    }
}
