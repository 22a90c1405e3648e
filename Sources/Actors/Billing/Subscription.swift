import Persistence

/// A tenant's Stripe subscription as pmd last knew it, with `asOf`: the Stripe time (Unix
/// seconds) at which this state was current — the `created` of the event it came from, or the
/// moment pmd read it from Stripe. `SubscriptionRules` compares it to decide what is newer.
public struct Subscription: Sendable, Equatable {
    /// pmd's own id for the subscription (SPEC §4: identifiers are UUIDs).
    public let id: ID
    public let tenantID: ID
    public let stripeID: String
    public var customerID: String
    /// Stripe's status string (`active`, `trialing`, `past_due`, `canceled`, …).
    public var status: String
    public var priceID: String?
    public var planID: ID?
    public var currentPeriodStart: Timestamp?
    public var currentPeriodEnd: Timestamp?
    public var cancelAtPeriodEnd: Bool
    /// When Stripe created the subscription (Unix seconds; 0 when unknown).
    public var stripeCreated: Int64
    public var asOf: Int64
    public var updatedAt: Timestamp

    static let rowVersion: UInt8 = 1

    public init(
        id: ID, tenantID: ID, stripeID: String, customerID: String, status: String, priceID: String?, planID: ID?,
        currentPeriodStart: Timestamp?, currentPeriodEnd: Timestamp?, cancelAtPeriodEnd: Bool, stripeCreated: Int64,
        asOf: Int64, updatedAt: Timestamp
    ) {
        self.id = id
        self.tenantID = tenantID
        self.stripeID = stripeID
        self.customerID = customerID
        self.status = status
        self.priceID = priceID
        self.planID = planID
        self.currentPeriodStart = currentPeriodStart
        self.currentPeriodEnd = currentPeriodEnd
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.stripeCreated = stripeCreated
        self.asOf = asOf
        self.updatedAt = updatedAt
    }

    static func key(tenant: ID, stripeID: String) -> [UInt8] { tenant.bytes + Array(stripeID.utf8) }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 128)
        w.write(Self.rowVersion)
        w.write(id)
        w.write(customerID)
        w.write(status)
        w.write(priceID)
        w.write(planID)
        w.write(currentPeriodStart != nil)
        if let currentPeriodStart { w.writeVarint(currentPeriodStart.milliseconds) }
        w.write(currentPeriodEnd != nil)
        if let currentPeriodEnd { w.writeVarint(currentPeriodEnd.milliseconds) }
        w.write(cancelAtPeriodEnd)
        w.writeVarint(stripeCreated)
        w.writeVarint(asOf)
        w.writeVarint(updatedAt.milliseconds)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var k = ByteReader(key)
        tenantID = try k.readID()
        stripeID = String(decoding: UnsafeRawBufferPointer(rebasing: key[16...]), as: UTF8.self)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "subscription")
        id = try r.readID()
        customerID = try r.readString()
        status = try r.readString()
        priceID = try r.readOptionalString()
        planID = try r.readOptionalID()
        currentPeriodStart = try r.readBool() ? Timestamp(milliseconds: try r.readVarint()) : nil
        currentPeriodEnd = try r.readBool() ? Timestamp(milliseconds: try r.readVarint()) : nil
        cancelAtPeriodEnd = try r.readBool()
        stripeCreated = try r.readVarint()
        asOf = try r.readVarint()
        updatedAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.subscriptions, key: Self.key(tenant: tenantID, stripeID: stripeID), value: encoded()) }

    /// Stripe never brings these back: a canceled subscription stays canceled, an expired
    /// incomplete one stays expired.
    public var isTerminal: Bool { SubscriptionRules.terminalStatuses.contains(status) }
}
