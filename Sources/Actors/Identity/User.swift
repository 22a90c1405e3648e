import Persistence

/// A user as pmd keeps it in memory and in the `users` table.
public struct User: Sendable, Equatable {
    public let id: ID
    /// Normalised (lowercased) address; unique.
    public var email: String
    public var profile: UserProfile
    /// nil until the user sets any preference, so they follow the defaults until then.
    public var preferences: Preferences?
    /// Self-describing scrypt string (`PasswordHash`).
    public var passwordHash: String
    public let createdAt: Timestamp
    public var updatedAt: Timestamp
    /// The tenant the user last made active (for `auth.login`'s `tenantId`).
    public var lastTenantID: ID?
    /// LSN of the last change; 0 when loaded from disk.
    public var lsn: LSN = 0

    public var effectivePreferences: Preferences { preferences ?? .defaults }

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 160 + email.utf8.count + passwordHash.utf8.count)
        w.write(Self.rowVersion)
        w.write(id)
        w.write(email)
        w.write(profile.name)
        w.write(profile.givenName)
        w.write(profile.familyName)
        w.write(profile.picture)
        w.write(passwordHash)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(updatedAt.milliseconds)
        w.write(lastTenantID)
        w.write(preferences != nil)
        if let p = preferences {
            w.write(p.theme.rawValue)
            w.write(p.language)
            w.write(p.timezone)
            let flags = (p.emailNotifications ? 1 : 0) | (p.pushNotifications ? 2 : 0)
                | (p.weeklyReports ? 4 : 0) | (p.marketingEmails ? 8 : 0)
            w.write(UInt8(flags))
        }
        return w.bytes
    }

    init(
        id: ID, email: String, profile: UserProfile, preferences: Preferences?, passwordHash: String,
        createdAt: Timestamp, updatedAt: Timestamp, lastTenantID: ID?
    ) {
        self.id = id
        self.email = email
        self.profile = profile
        self.preferences = preferences
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastTenantID = lastTenantID
    }

    init(row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var r = ByteReader(row)
        let version = try r.readByte()
        guard version == Self.rowVersion else { throw ByteReader.Malformed(offset: 0, reason: "user row version \(version)") }
        id = try r.readID()
        email = try r.readString()
        profile = UserProfile(
            name: try r.readOptionalString(), givenName: try r.readOptionalString(),
            familyName: try r.readOptionalString(), picture: try r.readOptionalString())
        passwordHash = try r.readString()
        createdAt = Timestamp(milliseconds: try r.readVarint())
        updatedAt = Timestamp(milliseconds: try r.readVarint())
        lastTenantID = try r.readOptionalID()
        if try r.readBool() {
            guard let theme = Theme(rawValue: try r.readString()) else {
                throw ByteReader.Malformed(offset: r.offset, reason: "unknown theme")
            }
            let language = try r.readString()
            let timezone = try r.readString()
            let flags = try r.readByte()
            preferences = Preferences(
                theme: theme, language: language, timezone: timezone,
                emailNotifications: flags & 1 != 0, pushNotifications: flags & 2 != 0,
                weeklyReports: flags & 4 != 0, marketingEmails: flags & 8 != 0)
        } else {
            preferences = nil
        }
    }

    var put: WALOp { .put(table: Tables.users, key: id.bytes, value: encoded()) }
}
