import Persistence

/// One undelivered mail in the durable `outbox` table. It is written in the same WAL record as the
/// change that caused it (so a committed reset always has its mail, and a lost one has none) and
/// deleted, again through the WAL, once the relay has accepted it.
public struct OutboxEntry: Sendable, Equatable, Identifiable {
    /// Also the left part of the Message-ID, so a retried mail keeps its identity.
    public let id: ID
    /// When the cause was committed; the mail's `Date:` header.
    public let createdAt: Timestamp
    public let mail: OutgoingMail

    public init(id: ID = .random(), createdAt: Timestamp, mail: OutgoingMail) {
        self.id = id
        self.createdAt = createdAt
        self.mail = mail
    }

    /// The row op that puts this mail in the outbox: add it to the record of the causing change,
    /// then tell the mailer (`Mailer.committed`) with that record's LSN.
    public var put: WALOp { .put(table: Tables.outbox, key: id.bytes, value: encoded()) }
    /// The row op that marks it delivered.
    public var delete: WALOp { .delete(table: Tables.outbox, key: id.bytes) }

    static let rowVersion: UInt8 = 1

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 64 + mail.subject.utf8.count + mail.text.utf8.count + mail.html.utf8.count)
        w.write(Self.rowVersion)
        w.writeVarint(createdAt.milliseconds)
        w.write(mail.to)
        w.write(mail.subject)
        w.write(mail.text)
        w.write(mail.html)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        let version = try r.readByte()
        guard version == Self.rowVersion else { throw ByteReader.Malformed(offset: 0, reason: "outbox row version \(version)") }
        createdAt = Timestamp(milliseconds: try r.readVarint())
        mail = OutgoingMail(to: try r.readString(), subject: try r.readString(), text: try r.readString(), html: try r.readString())
    }

    /// Every undelivered mail, oldest first (start-up: the mailer resumes where it stopped).
    public static func loadAll(from store: Store) throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        try store.scan(Tables.outbox) { key, row in entries.append(try OutboxEntry(key: key, row: row)) }
        return entries.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}
