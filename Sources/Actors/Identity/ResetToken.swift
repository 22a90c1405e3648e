import Persistence

/// A single-use password-reset token, stored under the SHA-256 of the token (SPEC §5.7): the
/// token itself only ever exists in the mail. Using it deletes the row, which is what makes it
/// single-use, also across restarts.
public struct ResetToken: Sendable, Equatable {
    public let tokenHash: TokenHash
    public let userID: ID
    public let createdAt: Timestamp
    public let expiresAt: Timestamp

    public init(tokenHash: TokenHash, userID: ID, createdAt: Timestamp, expiresAt: Timestamp) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Expired from `expiresAt` on: a token is good for exactly `PMD_RESET_TTL`.
    public func isExpired(at now: Timestamp) -> Bool { now >= expiresAt }

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 40)
        w.write(Self.rowVersion)
        w.write(userID)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(expiresAt.milliseconds)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var k = ByteReader(key)
        tokenHash = try TokenHash(reader: &k)
        var r = ByteReader(row)
        let version = try r.readByte()
        guard version == Self.rowVersion else { throw ByteReader.Malformed(offset: 0, reason: "reset token row version \(version)") }
        userID = try r.readID()
        createdAt = Timestamp(milliseconds: try r.readVarint())
        expiresAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.resetTokens, key: tokenHash.bytes, value: encoded()) }
    var delete: WALOp { .delete(table: Tables.resetTokens, key: tokenHash.bytes) }
}
