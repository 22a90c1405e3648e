import Persistence

/// A tenant: an agency's account. Its workspaces, members and invitations are rows of their own.
public struct Tenant: Sendable, Equatable {
    public let id: ID
    public var name: String
    public let createdAt: Timestamp
    public var updatedAt: Timestamp

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 48 + name.utf8.count)
        w.write(Self.rowVersion)
        w.write(name)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(updatedAt.milliseconds)
        return w.bytes
    }

    init(id: ID, name: String, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "tenant")
        name = try r.readString()
        createdAt = Timestamp(milliseconds: try r.readVarint())
        updatedAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.tenants, key: id.bytes, value: encoded()) }
}

/// A workspace of a tenant (a "company": the agency's own, or a client's).
public struct Company: Sendable, Equatable {
    public enum Status: String, Sendable { case active, archived }

    public let id: ID
    public let tenantID: ID
    public var name: String
    /// Unique across all companies; never changes once given (SPEC §6.3).
    public let workspaceName: String
    public var logoURL: String?
    public var status: Status
    public let createdAt: Timestamp
    public var updatedAt: Timestamp

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 96 + name.utf8.count + workspaceName.utf8.count)
        w.write(Self.rowVersion)
        w.write(tenantID)
        w.write(name)
        w.write(workspaceName)
        w.write(logoURL)
        w.write(status == .archived)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(updatedAt.milliseconds)
        return w.bytes
    }

    init(
        id: ID, tenantID: ID, name: String, workspaceName: String, logoURL: String?, status: Status,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.workspaceName = workspaceName
        self.logoURL = logoURL
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "company")
        tenantID = try r.readID()
        name = try r.readString()
        workspaceName = try r.readString()
        logoURL = try r.readOptionalString()
        status = try r.readBool() ? .archived : .active
        createdAt = Timestamp(milliseconds: try r.readVarint())
        updatedAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.companies, key: id.bytes, value: encoded()) }
}

/// A user's membership of a tenant, keyed by tenant then user so a tenant's members are adjacent.
public struct Membership: Sendable, Equatable {
    public let tenantID: ID
    public let userID: ID
    public var role: Role
    public let joinedAt: Timestamp

    static let rowVersion: UInt8 = 1

    static func key(tenant: ID, user: ID) -> [UInt8] { tenant.bytes + user.bytes }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 24)
        w.write(Self.rowVersion)
        w.write(role.rawValue)
        w.writeVarint(joinedAt.milliseconds)
        return w.bytes
    }

    init(tenantID: ID, userID: ID, role: Role, joinedAt: Timestamp) {
        self.tenantID = tenantID
        self.userID = userID
        self.role = role
        self.joinedAt = joinedAt
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var k = ByteReader(key)
        tenantID = try k.readID()
        userID = try k.readID()
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "membership")
        guard let role = Role(rawValue: try r.readString()) else {
            throw ByteReader.Malformed(offset: r.offset, reason: "unknown role")
        }
        self.role = role
        joinedAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.memberships, key: Self.key(tenant: tenantID, user: userID), value: encoded()) }
    var delete: WALOp { .delete(table: Tables.memberships, key: Self.key(tenant: tenantID, user: userID)) }
}

/// A pending invitation. Accepting or revoking it deletes the row, so "used" and "revoked"
/// tokens simply find nothing (404), like unknown ones.
///
/// `tokenHash` is the SHA-256 of the link in the latest invitation mail sent, nil until the first
/// one goes out: the mailer mints the token at delivery (`LinkMinter`), so until then nobody
/// holds a link and the invitation cannot be accepted.
public struct Invitation: Sendable, Equatable {
    public let id: ID
    public let tenantID: ID
    /// Normalised (lowercased) address.
    public let email: String
    public let role: Role
    public var tokenHash: TokenHash?
    public let invitedBy: ID
    public let createdAt: Timestamp
    public let expiresAt: Timestamp

    /// Version 1 always held a hash (the token was made with the invitation); version 2 may not.
    static let rowVersion: UInt8 = 2
    static let tokenAlwaysRowVersion: UInt8 = 1

    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 120 + email.utf8.count)
        w.write(Self.rowVersion)
        w.write(tenantID)
        w.write(email)
        w.write(role.rawValue)
        w.write(tokenHash != nil)
        if let tokenHash { w.write(raw: tokenHash.bytes) }
        w.write(invitedBy)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(expiresAt.milliseconds)
        return w.bytes
    }

    init(
        id: ID, tenantID: ID, email: String, role: Role, tokenHash: TokenHash?, invitedBy: ID,
        createdAt: Timestamp, expiresAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.role = role
        self.tokenHash = tokenHash
        self.invitedBy = invitedBy
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        let version = try r.readByte()
        guard version == Self.rowVersion || version == Self.tokenAlwaysRowVersion else {
            throw ByteReader.Malformed(offset: 0, reason: "invitation row version \(version)")
        }
        tenantID = try r.readID()
        email = try r.readString()
        guard let role = Role(rawValue: try r.readString()) else {
            throw ByteReader.Malformed(offset: r.offset, reason: "unknown role")
        }
        self.role = role
        let hasToken = version == Self.tokenAlwaysRowVersion ? true : try r.readBool()
        tokenHash = hasToken ? try TokenHash(reader: &r) : nil
        invitedBy = try r.readID()
        createdAt = Timestamp(milliseconds: try r.readVarint())
        expiresAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.invitations, key: id.bytes, value: encoded()) }
    var delete: WALOp { .delete(table: Tables.invitations, key: id.bytes) }
}

extension ByteReader {
    mutating func expectVersion(_ version: UInt8, of kind: String) throws(Malformed) {
        let found = try readByte()
        guard found == version else { throw Malformed(offset: 0, reason: "\(kind) row version \(found)") }
    }
}
