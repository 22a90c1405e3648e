import Persistence
import Protocol

/// The values pmd keeps in etcd, as small JSON objects (readable with `etcdctl get`).
struct LeaderRecord: Equatable, Sendable {
    var node: String
    var address: String
    var term: UInt64

    var json: JSON { ["node": .string(node), "addr": .string(address), "term": .number(JSONNumber(Int(term)))] }

    init(node: String, address: String, term: UInt64) {
        self.node = node
        self.address = address
        self.term = term
    }

    init?(_ bytes: [UInt8]) {
        guard let json = try? bytes.withUnsafeBytes({ try JSON.parse($0) }), let node = json["node"]?.stringValue,
            let address = json["addr"]?.stringValue, let term = json["term"]?.intValue, term >= 0
        else { return nil }
        self.init(node: node, address: address, term: UInt64(term))
    }
}

extension SyncSet {
    var json: JSON {
        ["term": .number(JSONNumber(Int(term))), "members": .array(members.map { .string($0) })]
    }

    init?(_ bytes: [UInt8]) {
        guard let json = try? bytes.withUnsafeBytes({ try JSON.parse($0) }), let term = json["term"]?.intValue, term >= 0,
            let members = json["members"]?.arrayValue?.compactMap(\.stringValue)
        else { return nil }
        self.init(term: UInt64(term), members: members)
    }
}

/// A node's self-description, refreshed every second under its own lease: `pmd cluster status`
/// reads these, and candidates find their rivals' addresses here.
struct NodeRecord: Equatable, Sendable {
    var node: String
    var address: String
    var role: String
    var term: UInt64
    var position: LogPosition

    var json: JSON {
        [
            "node": .string(node), "addr": .string(address), "role": .string(role), "term": .number(JSONNumber(Int(term))),
            "lastTerm": .number(JSONNumber(Int(position.term))), "durableLsn": .number(JSONNumber(Int(position.lsn))),
        ]
    }

    init(node: String, address: String, role: String, term: UInt64, position: LogPosition) {
        self.node = node
        self.address = address
        self.role = role
        self.term = term
        self.position = position
    }

    init?(_ bytes: [UInt8]) {
        guard let json = try? bytes.withUnsafeBytes({ try JSON.parse($0) }), let node = json["node"]?.stringValue,
            let address = json["addr"]?.stringValue, let role = json["role"]?.stringValue, let term = json["term"]?.intValue,
            let lastTerm = json["lastTerm"]?.intValue, let lsn = json["durableLsn"]?.intValue
        else { return nil }
        self.init(
            node: node, address: address, role: role, term: UInt64(max(term, 0)),
            position: LogPosition(term: UInt64(max(lastTerm, 0)), lsn: LSN(max(lsn, 0))))
    }
}

extension JSON {
    var bytes: [UInt8] { serialized }
}
