import Persistence

/// One undelivered mail in the durable `outbox` table. It is written in the same WAL record as the
/// change that caused it (so a committed reset always has its mail, and a lost one has none) and
/// deleted, again through the WAL, once the relay has accepted it.
///
/// The row says what the mail is about (`MailContent`), not what it says: the link's token does
/// not exist until the mailer mints it at delivery.
public struct OutboxEntry: Sendable, Equatable, Identifiable {
    /// Also the left part of the Message-ID, so a retried mail keeps its identity.
    public let id: ID
    /// When the cause was committed; the mail's `Date:` header.
    public let createdAt: Timestamp
    /// Recipient address (already validated by the feature's own rules).
    public let to: String
    public let content: MailContent
    /// Set when the relay refused the mail for good (`MailQueue.deadAfter` times): it is not
    /// retried until an operator says so (`mail.retry`), or dropped (`mail.drop`).
    public var deadLetter: DeadLetter?

    public struct DeadLetter: Sendable, Equatable {
        public let since: Timestamp
        public let attempts: Int
        /// The relay's last answer (no secret: the mail's link never reaches a log or a row).
        public let reason: String

        public init(since: Timestamp, attempts: Int, reason: String) {
            self.since = since
            self.attempts = attempts
            self.reason = reason
        }
    }

    public init(id: ID = .random(), createdAt: Timestamp, to: String, content: MailContent, deadLetter: DeadLetter? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.to = to
        self.content = content
        self.deadLetter = deadLetter
    }

    /// The row op that puts this mail in the outbox: add it to the record of the causing change,
    /// then tell the mailer (`Mailer.committed`) with that record's LSN.
    public var put: WALOp { .put(table: Tables.outbox, key: id.bytes, value: encoded()) }
    /// The row op that removes it (delivered, no longer needed, or dropped).
    public var delete: WALOp { .delete(table: Tables.outbox, key: id.bytes) }

    /// Version 1 held the rendered mail, link and all; version 2 holds `MailContent`.
    static let rowVersion: UInt8 = 2
    static let renderedRowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 96 + to.utf8.count)
        w.write(Self.rowVersion)
        w.writeVarint(createdAt.milliseconds)
        w.write(to)
        content.write(to: &w)
        w.write(deadLetter != nil)
        if let deadLetter {
            w.writeVarint(deadLetter.since.milliseconds)
            w.writeVarint(deadLetter.attempts)
            w.write(deadLetter.reason)
        }
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        let version = try r.readByte()
        switch version {
        case Self.rowVersion:
            createdAt = Timestamp(milliseconds: try r.readVarint())
            to = try r.readString()
            content = try MailContent(reader: &r)
            deadLetter = try r.readBool()
                ? DeadLetter(since: Timestamp(milliseconds: try r.readVarint()), attempts: try r.readInt(), reason: try r.readString())
                : nil
        case Self.renderedRowVersion:
            createdAt = Timestamp(milliseconds: try r.readVarint())
            let mail = OutgoingMail(to: try r.readString(), subject: try r.readString(), text: try r.readString(), html: try r.readString())
            to = mail.to
            content = .rendered(mail)
            deadLetter = nil
        default:
            throw ByteReader.Malformed(offset: 0, reason: "outbox row version \(version)")
        }
    }

    /// Every undelivered mail, dead letters included, oldest first (start-up: the mailer resumes
    /// where it stopped).
    public static func loadAll(from store: Store) throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        try store.scan(Tables.outbox) { key, row in entries.append(try OutboxEntry(key: key, row: row)) }
        return entries.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}
