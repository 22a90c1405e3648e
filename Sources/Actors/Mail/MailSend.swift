import Persistence

/// One mail counted against the limits (`MailLimits`), as a row of the `mail_quota` table keyed
/// by the mail's id. It is written in the same WAL record as the mail it counts, so a restart
/// (or a standby taking over) knows exactly what was sent, and deleted by the periodic sweep
/// once it is older than every window, so the table holds at most an hour of mail.
public struct MailSend: Sendable, Equatable {
    public let mailID: ID
    public let sentAt: Timestamp
    public let scopes: [MailScope]

    public init(mailID: ID, sentAt: Timestamp, scopes: [MailScope]) {
        self.mailID = mailID
        self.sentAt = sentAt
        self.scopes = scopes
    }

    public var put: WALOp { .put(table: Tables.mailQuota, key: mailID.bytes, value: encoded()) }
    public var delete: WALOp { .delete(table: Tables.mailQuota, key: mailID.bytes) }

    static let rowVersion: UInt8 = 1

    private enum Tag: UInt8 {
        case resetsTo = 1, invitationsTo, invitationsFrom, invitationsBy
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.write(Self.rowVersion)
        w.writeVarint(sentAt.milliseconds)
        w.writeVarint(UInt64(scopes.count))
        for scope in scopes {
            switch scope {
            case let .resetsTo(address):
                w.write(Tag.resetsTo.rawValue)
                w.write(address)
            case let .invitationsTo(address):
                w.write(Tag.invitationsTo.rawValue)
                w.write(address)
            case let .invitationsFrom(tenant):
                w.write(Tag.invitationsFrom.rawValue)
                w.write(tenant)
            case let .invitationsBy(user):
                w.write(Tag.invitationsBy.rawValue)
                w.write(user)
            }
        }
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        mailID = try ID(bytes: key)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "mail quota")
        sentAt = Timestamp(milliseconds: try r.readVarint())
        var scopes: [MailScope] = []
        for _ in 0..<(try r.readVarintUnsigned()) {
            let offset = r.offset
            switch Tag(rawValue: try r.readByte()) {
            case .resetsTo: scopes.append(.resetsTo(try r.readString()))
            case .invitationsTo: scopes.append(.invitationsTo(try r.readString()))
            case .invitationsFrom: scopes.append(.invitationsFrom(try r.readID()))
            case .invitationsBy: scopes.append(.invitationsBy(try r.readID()))
            case nil: throw ByteReader.Malformed(offset: offset, reason: "unknown mail quota scope")
            }
        }
        self.scopes = scopes
    }

    /// Every counted mail (start-up); the quota ignores those already out of their windows.
    public static func loadAll(from store: Store) throws -> [MailSend] {
        var sends: [MailSend] = []
        try store.scan(Tables.mailQuota) { key, row in sends.append(try MailSend(key: key, row: row)) }
        return sends
    }
}
