import Persistence

/// A tenant's Stripe customer. Recorded once, durably, before any checkout can name it, and
/// never replaced: one customer per tenant, ever (SPEC §6.5).
public struct BillingCustomer: Sendable, Equatable {
    public let tenantID: ID
    public let stripeID: String
    public let createdAt: Timestamp

    static let rowVersion: UInt8 = 1

    public init(tenantID: ID, stripeID: String, createdAt: Timestamp) {
        self.tenantID = tenantID
        self.stripeID = stripeID
        self.createdAt = createdAt
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 48)
        w.write(Self.rowVersion)
        w.write(stripeID)
        w.writeVarint(createdAt.milliseconds)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        tenantID = try ID(bytes: key)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "billing customer")
        stripeID = try r.readString()
        createdAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.billingCustomers, key: tenantID.bytes, value: encoded()) }
}

/// A Stripe event pmd has handled, kept so a redelivery is recognised after a restart too.
/// Rows older than `retentionSeconds` are pruned: Stripe stops retrying after three days.
public struct ProcessedEvent: Sendable, Equatable {
    public let eventID: String
    /// The event's `created` (Unix seconds).
    public let created: Int64

    static let rowVersion: UInt8 = 1
    public static let retentionSeconds: Int64 = 30 * 86_400

    public init(eventID: String, created: Int64) {
        self.eventID = eventID
        self.created = created
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 12)
        w.write(Self.rowVersion)
        w.writeVarint(created)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        eventID = String(decoding: key, as: UTF8.self)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "stripe event")
        created = try r.readVarint()
    }

    public var put: WALOp { .put(table: Tables.stripeEvents, key: Array(eventID.utf8), value: encoded()) }
    var delete: WALOp { .delete(table: Tables.stripeEvents, key: Array(eventID.utf8)) }
}
