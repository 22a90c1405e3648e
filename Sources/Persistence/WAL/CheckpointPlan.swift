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
        // Row → its latest change. Sized for the worst case (every record a different row) up
        // front: growing a dictionary of 65,536 rows rehashes it 16 times. The change itself is
        // the value, so each change costs one hash and the ordering below looks nothing up.
        var latest: [Row: WALOp] = Dictionary(minimumCapacity: records.count)
        for (_, record) in records {
            for op in record.ops { latest[Row(op)] = op }
        }
        self.changes = latest.sorted { $0.key < $1.key }.map(\.value)
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

    /// By the key's bytes and the table name's length, not the name's characters: keys are mostly
    /// random ids, which hash well alone, and the few rows of different tables under one key (a
    /// user and its preferences) are told apart by `==`.
    func hash(into hasher: inout Hasher) {
        hasher.combine(table.utf8.count)
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
