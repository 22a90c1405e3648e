import Persistence

/// How far a node's log goes: the term of its last record, then its last LSN. A node whose
/// position is higher holds every record a lower one holds in the same history (SPEC §10: the
/// standby with the highest durable LSN wins).
struct LogPosition: Comparable, Sendable, CustomStringConvertible {
    var term: UInt64
    var lsn: LSN

    static func < (a: LogPosition, b: LogPosition) -> Bool { (a.term, a.lsn) < (b.term, b.lsn) }

    var description: String { "\(lsn)@\(term)" }
}
