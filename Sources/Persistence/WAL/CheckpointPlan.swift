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
        var latest: [String: [[UInt8]: WALOp]] = [:]
        for (_, record) in records {
            for op in record.ops {
                switch op {
                case let .put(table, key, _), let .delete(table, key): latest[table, default: [:]][key] = op
                }
            }
        }
        var changes: [WALOp] = []
        changes.reserveCapacity(latest.values.reduce(0) { $0 + $1.count })
        for table in latest.keys.sorted() {
            let rows = latest[table]!
            for key in rows.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) { changes.append(rows[key]!) }
        }
        self.changes = changes
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
