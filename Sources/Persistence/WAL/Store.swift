import Foundation

/// The on-disk store: two LMDB environments in the data directory.
///
/// - The **log** (`data.mdb` at the top of the directory): the `meta` table (format version, last
///   LSN) and the `wal` table (recent records by LSN). Group commits write here and nowhere else.
/// - The **tables** (`tables/data.mdb`): a `meta` table holding the checkpoint LSN, and the
///   domain's tables, rows as of that LSN. Checkpoints write here, from their own thread.
///
/// Two environments because LMDB allows one write transaction per environment at a time: with
/// the tables beside the log, a commit carrying a checkpoint's table pages held up every write
/// queued behind it. Records after the checkpoint are durable in `wal` only; opening the store
/// for writing applies them to the tables first, so loaders always see the latest state.
public final class Store: Sendable {
    /// The log's environment (`meta` + `wal`).
    public let logEnvironment: Environment
    /// The tables' environment (`meta` with the checkpoint LSN + the domain's tables). The same
    /// environment as the log only when a read-only tool opens a directory of format 2 or older,
    /// which kept everything in one.
    public let tablesEnvironment: Environment
    public let directory: String
    private let lock: DirectoryLock?

    /// The layout this pmd reads and writes. A data directory written by a newer pmd is refused
    /// rather than misread. Version 3: the tables live in their own environment (`tables/`);
    /// version 2 (tables beside the log, possibly behind it) and version 1 (tables always
    /// current) are moved there when opened for writing.
    public static let formatVersion: UInt32 = 3

    static let metaTable = "meta"
    static let walTable = "wal"
    static let formatKey = Array("format".utf8)
    static let lsnKey = Array("lsn".utf8)
    static let appliedKey = Array("applied".utf8)
    /// The log's `TermHistory` (cluster mode); absent before the first term was noted.
    static let termsKey = Array("terms".utf8)
    /// The newest term this node has seen (cluster mode): it only grows.
    static let termKey = Array("term".utf8)
    /// Random bytes made with the directory and kept by its copies: two logs can share a history
    /// only if they share an origin.
    static let originKey = Array("origin".utf8)
    static let tablesDirectory = "tables"

    public enum OpenError: Error, CustomStringConvertible {
        case newerFormat(found: UInt32)
        case notInitialised(String)
        case inconsistent(String)
        case lmdb(LMDBError)
        case filesystem(String)

        public var description: String {
            switch self {
            case let .newerFormat(found):
                "data directory has format version \(found), newer than this pmd supports (\(Store.formatVersion)); use a newer pmd"
            case let .notInitialised(directory): "\(directory) is not a pmd data directory"
            case let .inconsistent(message): "data directory is inconsistent: \(message)"
            case let .lmdb(error): "LMDB: \(error)"
            case let .filesystem(message): message
            }
        }
    }

    /// Opens the store, creating the directory and tables when `readOnly` is false. Opened for
    /// writing, it applies to the tables what the log holds beyond them, unless `replay` is false:
    /// a cluster node first learns from the primary whether those records are to be kept
    /// (`truncateLog`), then calls `replayUnapplied` itself.
    public init(directory: String, mapSize: Int, tables: [String], readOnly: Bool = false, replay: Bool = true) throws(OpenError) {
        self.directory = directory
        let tablesPath = directory + "/" + Self.tablesDirectory
        if !readOnly {
            do {
                try FileManager.default.createDirectory(atPath: tablesPath, withIntermediateDirectories: true)
            } catch {
                throw .filesystem("cannot create data directory \(directory): \(error.localizedDescription)")
            }
            lock = try DirectoryLock(directory: directory)
        } else {
            lock = nil
        }
        if readOnly, !FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            throw .notInitialised(directory)
        }
        let options = Environment.Options(mapSize: mapSize, readOnly: readOnly)
        let log = try Self.perform {
            let log = try Environment(directory: directory, options: options)
            try log.openTables([Self.metaTable, Self.walTable], create: !readOnly)
            return log
        }
        logEnvironment = log
        let format = try Self.storedFormat(log)
        if let format, format > Self.formatVersion { throw .newerFormat(found: format) }
        tablesEnvironment = try Self.perform {
            if let format, format < Self.formatVersion, readOnly {
                // An older directory read in place: its tables are in the log's environment.
                try log.openTables(tables, create: false)
                return log
            }
            if readOnly, !FileManager.default.fileExists(atPath: tablesPath + "/data.mdb") {
                throw OpenError.notInitialised(directory)
            }
            let environment = try Environment(directory: tablesPath, options: options)
            try environment.openTables([Self.metaTable] + tables, create: !readOnly)
            return environment
        }
        guard !readOnly else { return }
        if let format, format < Self.formatVersion {
            try moveTablesOutOfTheLog(format: format, tables: tables)
        } else if format == nil {
            try Self.perform { try writeFormat() }
        }
        try Self.perform {
            if try logEnvironment.read({ txn in try txn.get(Self.metaTable, key: Self.originKey) }) == nil {
                try logEnvironment.write { txn in try txn.put(Self.metaTable, key: Self.originKey, value: (0..<16).map { _ in UInt8.random(in: .min ... .max) }) }
            }
        }
        if replay { try replayUnapplied() }
    }

    private static func storedFormat(_ environment: Environment) throws(OpenError) -> UInt32? {
        do {
            let stored = try environment.read { txn in try txn.get(Self.metaTable, key: Self.formatKey) }
            return try stored.map { bytes in try bytes.read { reader in UInt32(try reader.readVarintUnsigned()) } }
        } catch let error as LMDBError {
            throw .lmdb(error)
        } catch {
            throw .filesystem("meta table unreadable: \(error)")
        }
    }

    /// Format 1 and 2 kept the tables in the log's environment. Copies them (and the checkpoint
    /// LSN: format 1 had none, its tables were current up to the last LSN) into the tables'
    /// environment, then empties them there and marks the directory format 3. A crash in between
    /// leaves format 2 on disk, and the next opening copies again over what was copied.
    private func moveTablesOutOfTheLog(format: UInt32, tables: [String]) throws(OpenError) {
        try Self.perform {
            try logEnvironment.openTables(tables, create: false)
            let present = tables.filter { logEnvironment.hasTable($0) }
            let applied = try format == 1 ? lastLSN() : Self.storedLSN(Self.appliedKey, in: logEnvironment)
            try logEnvironment.read { source in
                try tablesEnvironment.write { target in
                    for table in present {
                        try target.empty(table)
                        try source.scan(table) { key, value in
                            try target.put(table, key: Array(key), value: Array(value))
                            return true
                        }
                    }
                    try target.put(Self.metaTable, key: Self.appliedKey, value: applied.walKey)
                }
            }
            try logEnvironment.write { txn in
                for table in present { try txn.empty(table) }
                try txn.delete(Self.metaTable, key: Self.appliedKey)
            }
            try writeFormat()
        }
    }

    /// Applies the records committed to the log after the last checkpoint to the tables, in one
    /// transaction (start-up recovery after a crash between checkpoints).
    public func replayUnapplied() throws(OpenError) {
        let (last, applied) = try Self.perform { (try lastLSN(), try appliedLSN()) }
        if applied > last {
            throw .inconsistent("the tables are at LSN \(applied), ahead of the log (LSN \(last)); they come from different copies")
        }
        guard applied < last else { return }
        try Self.perform {
            try logEnvironment.read { log in
                try tablesEnvironment.write { tables in
                    var next = applied + 1
                    try log.scan(Self.walTable, from: next.walKey) { key, value in
                        let lsn = LSN(walKey: key)
                        guard lsn == next else { return false }
                        try WALRecord.decode(value).apply(to: tables)
                        next += 1
                        return true
                    }
                    guard next == last + 1 else {
                        throw OpenError.inconsistent(
                            "the tables are at LSN \(applied) but the log no longer holds record \(next) (it ends at \(last))")
                    }
                    try tables.put(Self.metaTable, key: Self.appliedKey, value: last.walKey)
                }
            }
        }
    }

    private func writeFormat() throws {
        var writer = ByteWriter()
        writer.writeVarint(UInt64(Self.formatVersion))
        try logEnvironment.write { txn in try txn.put(Self.metaTable, key: Self.formatKey, value: writer.bytes) }
    }

    /// Runs a step of opening, reporting its failure as an `OpenError`.
    private static func perform<T>(_ body: () throws -> T) throws(OpenError) -> T {
        do {
            return try body()
        } catch let error as OpenError {
            throw error
        } catch let error as LMDBError {
            throw .lmdb(error)
        } catch {
            throw .filesystem("data directory unreadable: \(error)")
        }
    }

    // MARK: - Reading

    /// The LSN of the last committed record (0 for a new store): the log's last key, or the LSN
    /// noted in `meta` when trimming has emptied the log (commits do not note it, to spare a
    /// page write per group commit).
    public func lastLSN() throws -> LSN {
        let noted = try Self.storedLSN(Self.lsnKey, in: logEnvironment)
        let newest: LSN = try logEnvironment.read { txn in
            var newest: LSN = 0
            try txn.scan(Self.walTable, reverse: true) { key, _ in
                newest = LSN(walKey: key)
                return false
            }
            return newest
        }
        return max(noted, newest)
    }

    /// The LSN up to which the tables hold every record's effect: the last checkpoint.
    public func appliedLSN() throws -> LSN { try Self.storedLSN(Self.appliedKey, in: tablesEnvironment) }

    /// An LSN kept under `key` in an environment's `meta` table (0 when absent).
    private static func storedLSN(_ key: [UInt8], in environment: Environment) throws -> LSN {
        try environment.read { txn in
            guard let bytes = try txn.get(Self.metaTable, key: key) else { return 0 }
            return try bytes.read { reader in try reader.readBigEndianUInt64() }
        }
    }

    /// The oldest LSN still kept in the `wal` table, or nil when it is empty.
    public func firstRetainedLSN() throws -> LSN? {
        try logEnvironment.read { txn in
            var first: LSN?
            try txn.scan(Self.walTable) { key, _ in
                first = LSN(walKey: key)
                return false
            }
            return first
        }
    }

    /// Visits every row of a table in key order (start-up recovery).
    public func scan(_ table: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        try tablesEnvironment.read { txn in
            try txn.scan(table) { key, value in
                try body(key, value)
                return true
            }
        }
    }

    /// Retained WAL records with LSN ≥ `from`, oldest first, at most `limit`.
    public func records(from: LSN, limit: Int) throws -> [(LSN, WALRecord)] {
        try logEnvironment.read { txn in
            var result: [(LSN, WALRecord)] = []
            try txn.scan(Self.walTable, from: from.walKey) { key, value in
                let lsn = LSN(walKey: key)
                result.append((lsn, try WALRecord.decode(value)))
                return result.count < limit
            }
            return result
        }
    }

    /// Retained records with LSN ≥ `from`, as the log stores them, oldest first, at most `limit`
    /// and about `maxBytes`; they stop early at a gap (none is expected: the log is contiguous).
    public func encodedRecords(from: LSN, limit: Int, maxBytes: Int) throws -> [(LSN, [UInt8])] {
        try logEnvironment.read { txn in
            var result: [(LSN, [UInt8])] = []
            var bytes = 0
            var next = from
            try txn.scan(Self.walTable, from: from.walKey) { key, value in
                let lsn = LSN(walKey: key)
                guard lsn == next else { return false }
                result.append((lsn, Array(value)))
                bytes += value.count
                next += 1
                return result.count < limit && bytes < maxBytes
            }
            return result
        }
    }

    /// Number of rows in a table (from LMDB's statistics, without a scan), to size memory
    /// before loading it.
    public func count(_ table: String) throws -> Int {
        try tablesEnvironment.read { txn in try txn.count(table) }
    }

    /// Number of records currently retained in the WAL table.
    public func retainedRecordCount() throws -> Int {
        try logEnvironment.read { txn in try txn.count(Self.walTable) }
    }

    /// The map size (each environment's) and the bytes both environments use.
    public func usage() -> (mapSize: Int, used: Int) {
        let log = logEnvironment.usage()
        guard tablesEnvironment !== logEnvironment else { return log }
        return (log.mapSize, log.used + tablesEnvironment.usage().used)
    }

    // MARK: - Writing

    /// Applies a checkpoint's row changes to the tables in one transaction; `completing` is the
    /// checkpoint LSN when these are its last changes. Only the checkpointer calls this.
    func applyCheckpoint(_ changes: ArraySlice<WALOp>, completing: LSN?) throws {
        try tablesEnvironment.write { txn in
            for change in changes { try change.apply(to: txn) }
            if let completing { try txn.put(Self.metaTable, key: Self.appliedKey, value: completing.walKey) }
        }
    }

    // MARK: - The logical state

    /// Visits every row of the domain tables as of the log's last record — the tables' rows with
    /// the log's later records laid over them — table by table in `tables`' order, keys in
    /// order; returns that LSN. Two nodes that hold the same records visit the same rows, however
    /// far each has checkpointed (`system.digest`).
    public func visitLogicalState(
        tables: [String], _ visit: (String, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void
    ) throws -> LSN {
        try tablesEnvironment.read { tablesTxn in
            try logEnvironment.read { logTxn in
                let applied = try tablesTxn.get(Self.metaTable, key: Self.appliedKey).map { bytes in
                    try bytes.read { reader in try reader.readBigEndianUInt64() }
                } ?? 0
                // What the log holds beyond the tables: the last value of each row, or nil if deleted.
                var overlay: [String: [[UInt8]: [UInt8]?]] = [:]
                var last = applied
                try logTxn.scan(Self.walTable, from: (applied + 1).walKey) { key, value in
                    let lsn = LSN(walKey: key)
                    guard lsn == last + 1 else { return false }
                    for op in try WALRecord.decode(value).ops {
                        switch op {
                        case let .put(table, key, value): overlay[table, default: [:]][key] = .some(value)
                        case let .delete(table, key): overlay[table, default: [:]][key] = .some(nil)
                        }
                    }
                    last = lsn
                    return true
                }
                for table in tables {
                    let changes = (overlay[table] ?? [:]).sorted { $0.key.lexicographicallyPrecedes($1.key) }
                    var pending = changes[...]
                    func flush(before key: UnsafeRawBufferPointer?) throws {
                        while let (changedKey, value) = pending.first,
                            key.map({ changedKey.lexicographicallyPrecedes($0) }) ?? true
                        {
                            pending.removeFirst()
                            if let value {
                                try changedKey.withUnsafeBytes { k in try value.withUnsafeBytes { v in try visit(table, k, v) } }
                            }
                        }
                    }
                    try tablesTxn.scan(table) { key, value in
                        try flush(before: key)
                        if let (changedKey, changed) = pending.first, changedKey.elementsEqual(key) {
                            pending.removeFirst()
                            if let changed { try changed.withUnsafeBytes { v in try visit(table, key, v) } }
                        } else {
                            try visit(table, key, value)
                        }
                        return true
                    }
                    try flush(before: nil)
                }
                return last
            }
        }
    }

    // MARK: - Terms (cluster mode)

    /// Which term wrote which part of the log. A log that has records but no stored history was
    /// written before terms were kept: all of it is term 0.
    public func termHistory() throws -> TermHistory {
        let stored = try logEnvironment.read { txn in try txn.get(Self.metaTable, key: Self.termsKey) }
        if let stored { return try stored.withUnsafeBytes { try TermHistory.decode($0) } }
        let last = try lastLSN()
        return last == 0 ? TermHistory() : TermHistory([.init(term: 0, firstLSN: try firstRetainedLSN() ?? 1)])
    }

    /// The newest term this node has seen: the larger of the stored one and its log's last.
    public func knownTerm() throws -> UInt64 {
        let stored = try logEnvironment.read { txn -> UInt64 in
            guard let bytes = try txn.get(Self.metaTable, key: Self.termKey) else { return 0 }
            return try bytes.read { reader in try reader.readBigEndianUInt64() }
        }
        return max(stored, try termHistory().lastTerm)
    }

    /// Remembers that a term exists (it only grows). A write transaction of its own: rare, and
    /// LMDB orders it with the log's group commits.
    public func saveKnownTerm(_ term: UInt64) throws {
        guard term > (try knownTerm()) else { return }
        try logEnvironment.write { txn in try txn.put(Self.metaTable, key: Self.termKey, value: term.walKey) }
    }

    /// This directory's origin (see `originKey`).
    public func origin() throws -> [UInt8] {
        try logEnvironment.read { txn in try txn.get(Self.metaTable, key: Self.originKey) } ?? []
    }

    /// What `truncateLog` discarded.
    public struct Truncation: Sendable, Equatable {
        public var count: Int
        public var first: LSN
        public var last: LSN
    }

    /// Deletes the log's records after `lsn` and cuts its term history there: the rejoin of a
    /// node whose history parted from the primary's (SPEC §10). Only records the tables do not
    /// hold yet can go; nil when there was nothing after `lsn`.
    public func truncateLog(after lsn: LSN) throws -> Truncation? {
        let last = try lastLSN()
        guard last > lsn else { return nil }
        let applied = try appliedLSN()
        guard applied <= lsn else {
            throw OpenError.inconsistent("cannot discard records after LSN \(lsn): the tables already hold them up to \(applied)")
        }
        let history = try termHistory().truncated(after: lsn)
        var count = 0
        try logEnvironment.write { txn in
            var doomed: [LSN] = []
            try txn.scan(Self.walTable, from: (lsn + 1).walKey) { key, _ in
                doomed.append(LSN(walKey: key))
                return true
            }
            for old in doomed { try txn.delete(Self.walTable, key: old.walKey) }
            count = doomed.count
            try txn.put(Self.metaTable, key: Self.lsnKey, value: lsn.walKey)
            try txn.put(Self.metaTable, key: Self.termsKey, value: history.encoded())
        }
        return Truncation(count: count, first: lsn + 1, last: last)
    }

    /// Flushes both environments (shutdown; commits are already synchronous).
    public func sync() throws(LMDBError) {
        try logEnvironment.sync()
        if tablesEnvironment !== logEnvironment { try tablesEnvironment.sync() }
    }
}
