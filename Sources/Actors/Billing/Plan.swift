import Persistence

/// A plan as stored: its definition, the id pmd gave it (stable across restarts and catalog
/// edits, since plans are matched by name) and its place in the catalog.
public struct Plan: Sendable, Equatable {
    public let id: ID
    public var position: Int
    public var definition: PlanDefinition
    public let createdAt: Timestamp
    public var updatedAt: Timestamp

    public var name: String { definition.name }
    public var isActive: Bool { definition.active }

    static let rowVersion: UInt8 = 1

    public init(id: ID, position: Int, definition: PlanDefinition, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.position = position
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    func encoded() -> [UInt8] {
        let d = definition
        var w = ByteWriter(capacity: 128)
        w.write(Self.rowVersion)
        w.write(d.name)
        w.writeVarint(position)
        w.write(d.priceMonthly)
        w.write(d.priceYearly)
        w.write(d.stripePriceIDMonthly)
        w.write(d.stripePriceIDYearly)
        w.writeVarint(UInt64(d.features.count))
        for entry in d.features {
            w.write(entry.key)
            switch entry.value {
            case let .int(value):
                w.write(UInt8(0))
                w.writeVarint(value)
            case let .string(value):
                w.write(UInt8(1))
                w.write(value)
            case let .bool(value):
                w.write(UInt8(2))
                w.write(value)
            }
        }
        w.write(d.active)
        w.writeVarint(createdAt.milliseconds)
        w.writeVarint(updatedAt.milliseconds)
        return w.bytes
    }

    init(key: UnsafeRawBufferPointer, row: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        id = try ID(bytes: key)
        var r = ByteReader(row)
        try r.expectVersion(Self.rowVersion, of: "plan")
        let name = try r.readString()
        position = try r.readInt()
        let priceMonthly = try r.readOptionalString()
        let priceYearly = try r.readOptionalString()
        let monthlyID = try r.readOptionalString()
        let yearlyID = try r.readOptionalString()
        var features: [PlanFeatureEntry] = []
        for _ in 0..<(try r.readVarintUnsigned()) {
            let key = try r.readString()
            switch try r.readByte() {
            case 0: features.append(.init(key, .int(try r.readVarint())))
            case 1: features.append(.init(key, .string(try r.readString())))
            case 2: features.append(.init(key, .bool(try r.readBool())))
            case let tag: throw ByteReader.Malformed(offset: r.offset - 1, reason: "feature tag \(tag)")
            }
        }
        let active = try r.readBool()
        definition = PlanDefinition(
            name: name, priceMonthly: priceMonthly, priceYearly: priceYearly, stripePriceIDMonthly: monthlyID,
            stripePriceIDYearly: yearlyID, features: features, active: active)
        createdAt = Timestamp(milliseconds: try r.readVarint())
        updatedAt = Timestamp(milliseconds: try r.readVarint())
    }

    var put: WALOp { .put(table: Tables.plans, key: id.bytes, value: encoded()) }

    /// Every stored plan (start-up and `pmd plans seed`).
    public static func loadAll(from store: Store) throws -> [Plan] {
        var plans: [Plan] = []
        try store.scan(Tables.plans) { key, row in plans.append(try Plan(key: key, row: row)) }
        return plans
    }
}
