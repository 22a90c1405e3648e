import Persistence

/// Human-readable views of stored rows for `pmd wal tail`, with secrets left out: password
/// hashes are never printed, token hashes are shortened.
public enum RowInspector {
    public static func key(table: String, _ key: [UInt8]) -> String {
        switch table {
        case Tables.sessions: "sha256:" + Hex.encode(key.prefix(6)) + "…"
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
            default:
                return nil
            }
        }
    }
}
