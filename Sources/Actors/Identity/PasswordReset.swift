import Persistence

/// A user's pending password reset (SPEC §6.2: at most one per user), keyed by user id.
///
/// It holds the SHA-256 of the link in the latest reset mail sent (SPEC §5.7), or none before
/// the first one goes out: the token is minted by the mailer at delivery (`LinkMinter`) and
/// exists only in that mail. Each mail sent replaces the hash, so only the newest link works;
/// using it deletes the row, which is what makes it single-use, also across restarts.
public struct PasswordReset: Sendable, Equatable {
    public let userID: ID
    public let requestedAt: Timestamp
    public let expiresAt: Timestamp
    public var tokenHash: TokenHash?

    public init(userID: ID, requestedAt: Timestamp, expiresAt: Timestamp, tokenHash: TokenHash? = nil) {
        self.userID = userID
        self.requestedAt = requestedAt
        self.expiresAt = expiresAt
        self.tokenHash = tokenHash
    }

    /// Expired from `expiresAt` on: a reset is good for exactly `PMD_RESET_TTL`.
    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    /// Version 1 rows (an older pmd) were keyed by token hash, one per token; version 2 rows are
    /// keyed by user id.
    static let rowVersion: UInt8 = 2
    static let tokenKeyedRowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 56)
        w.write(Self.rowVersion)
        w.writeVarint(requestedAt.milliseconds)
        w.writeVarint(expiresAt.milliseconds)
        w.write(tokenHash != nil)
        if let tokenHash { w.write(raw: tokenHash.bytes) }
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var r = ByteReader(row)
        let version = try r.readByte()
        switch version {
        case Self.rowVersion:
            userID = try ID(bytes: key)
            requestedAt = Timestamp(milliseconds: try r.readVarint())
            expiresAt = Timestamp(milliseconds: try r.readVarint())
            tokenHash = try r.readBool() ? try TokenHash(reader: &r) : nil
        case Self.tokenKeyedRowVersion:
            var k = ByteReader(key)
            tokenHash = try TokenHash(reader: &k)
            userID = try r.readID()
            requestedAt = Timestamp(milliseconds: try r.readVarint())
            expiresAt = Timestamp(milliseconds: try r.readVarint())
        default:
            throw ByteReader.Malformed(offset: 0, reason: "password reset row version \(version)")
        }
    }

    /// Whether a stored row is in the token-keyed layout of version 1 (its key is a hash).
    static func isTokenKeyed(key: UnsafeRawBufferPointer) -> Bool { key.count == 32 }

    var put: WALOp { .put(table: Tables.resetTokens, key: userID.bytes, value: encoded()) }
    var delete: WALOp { .delete(table: Tables.resetTokens, key: userID.bytes) }
}
