#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One checkpoint's work: the last change of every row touched by the records it covers,
/// sorted by table and key, handed out a slice per commit.
///
/// Applying rows in key order instead of log order is what makes a spread checkpoint cheap:
/// a slice of consecutive keys dirties a few neighbouring B-tree pages, where the same number of
/// records in log order (each a different user or tenant) dirties one page per row, and every
/// commit writes each page it dirtied. Keeping only the last change of a row also writes a row
/// updated many times once. The result equals applying the records in order, because each
/// change is a row's complete after-image; until the last slice is committed the tables mix old
/// and new rows, which is why the checkpoint LSN only moves then (recovery replays from it, and
/// replaying after-images again is harmless).
struct CheckpointPlan {
    /// The newest record covered: the checkpoint LSN once every slice is committed.
    let through: LSN
    /// How many records (the oldest unapplied ones) the plan covers.
    let recordCount: Int
    private let changes: [WALOp]
    private var next = 0

    init(_ records: ArraySlice<(LSN, WALRecord)>) {
        // Row → position of its latest change in `ops`. Sized for the worst case (every record a
        // different row) up front: growing a dictionary of 65,536 rows rehashes it 16 times.
        var latest: [Row: Int] = Dictionary(minimumCapacity: records.count)
        var ops: [WALOp] = []
        ops.reserveCapacity(records.count)
        for (_, record) in records {
            for op in record.ops {
                if let position = latest[Row(op)] {
                    ops[position] = op
                } else {
                    latest[Row(op)] = ops.count
                    ops.append(op)
                }
            }
        }
        self.changes = latest.keys.sorted().map { ops[latest[$0]!] }
        self.through = records.last?.0 ?? 0
        self.recordCount = records.count
    }

    var isDone: Bool { next == changes.count }

    /// The next at most `limit` row changes.
    mutating func take(_ limit: Int) -> ArraySlice<WALOp> {
        let end = next + min(limit, changes.count - next)
        defer { next = end }
        return changes[next..<end]
    }
}

/// A row's identity, hashed and ordered as raw bytes: `[UInt8]`'s own `Hashable` feeds the hasher
/// one byte at a time, which was half of what building a plan cost.
private struct Row: Hashable, Comparable {
    let table: String
    let key: [UInt8]

    init(_ op: WALOp) {
        switch op {
        case let .put(table, key, _), let .delete(table, key): (self.table, self.key) = (table, key)
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(table)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: Row, rhs: Row) -> Bool { lhs.key == rhs.key && lhs.table == rhs.table }

    /// By table, then by key bytes (shorter first on a common prefix), as LMDB orders keys.
    static func < (lhs: Row, rhs: Row) -> Bool {
        if lhs.table != rhs.table { return lhs.table < rhs.table }
        return lhs.key.withUnsafeBytes { left in
            rhs.key.withUnsafeBytes { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }
}
