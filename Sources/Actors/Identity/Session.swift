import Persistence

/// A signed-in session, stored under the SHA-256 of its token (SPEC §5.7).
public struct Session: Sendable, Equatable {
    public let tokenHash: TokenHash
    public let userID: ID
    public let createdAt: Timestamp
    public var expiresAt: Timestamp
    /// When the expiry was last pushed forward; renewal is coarse (SPEC §3, `PMD_SESSION_TTL`).
    public var renewedAt: Timestamp
    public var activeTenantID: ID?
    /// LSN of the last change a response can reflect (creation, tenant switch); renewals do not
    /// count, since no response shows the expiry they move.
    public var lsn: LSN = 0

    /// How often at most a session's expiry is renewed, so reads stay reads.
    public static let renewalInterval: Int64 = 3600

    /// Expired from `expiresAt` on.
    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    /// Whether using the session at `now` should push its expiry to `now + ttlSeconds`: once the
    /// last renewal is an hour old, or half a lifetime old when the lifetime is shorter than two
    /// hours (otherwise a short `PMD_SESSION_TTL` would never be renewed at all).
    public func needsRenewal(at now: Timestamp, ttlSeconds: Int64) -> Bool {
        let interval = min(Self.renewalInterval * 1000, ttlSeconds * 1000 / 2)
        return now.milliseconds - renewedAt.milliseconds >= interval
    }

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.write(Self.rowVersion)
        w.write(userID)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(expiresAt.milliseconds)
        w.writeVarint(renewedAt.milliseconds)
        w.write(activeTenantID)
        return w.bytes
    }

    init(tokenHash: TokenHash, userID: ID, createdAt: Timestamp, expiresAt: Timestamp, activeTenantID: ID?) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.renewedAt = createdAt
        self.activeTenantID = activeTenantID
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var k = ByteReader(key)
        tokenHash = try TokenHash(reader: &k)
        var r = ByteReader(row)
        let version = try r.readByte()
        guard version == Self.rowVersion else { throw ByteReader.Malformed(offset: 0, reason: "session row version \(version)") }
        userID = try r.readID()
        createdAt = Timestamp(milliseconds: try r.readVarint())
        expiresAt = Timestamp(milliseconds: try r.readVarint())
        renewedAt = Timestamp(milliseconds: try r.readVarint())
        activeTenantID = try r.readOptionalID()
    }

    var put: WALOp { .put(table: Tables.sessions, key: tokenHash.bytes, value: encoded()) }
    var delete: WALOp { .delete(table: Tables.sessions, key: tokenHash.bytes) }
}
