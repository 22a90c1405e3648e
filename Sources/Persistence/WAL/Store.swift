import Foundation

/// The on-disk store: one LMDB environment holding the `meta` table (format version, last LSN,
/// checkpoint LSN), the `wal` table (recent records by LSN) and the domain's tables (rows as of
/// the checkpoint LSN). Records after the checkpoint are durable in `wal` only; opening the store
/// for writing applies them to the tables first, so loaders always see the latest state.
public final class Store: Sendable {
    public let environment: Environment
    public let directory: String
    private let lock: DirectoryLock?

    /// The layout this pmd reads and writes. A data directory written by a newer pmd is refused
    /// rather than misread. Version 2: the tables may lag the log (checkpoints); version 1 data
    /// directories (tables always current) open as version 2.
    public static let formatVersion: UInt32 = 2

    static let metaTable = "meta"
    static let walTable = "wal"
    static let formatKey = Array("format".utf8)
    static let lsnKey = Array("lsn".utf8)
    static let appliedKey = Array("applied".utf8)

    public enum OpenError: Error, CustomStringConvertible {
        case newerFormat(found: UInt32)
        case notInitialised(String)
        case lmdb(LMDBError)
        case filesystem(String)

        public var description: String {
            switch self {
            case let .newerFormat(found):
                "data directory has format version \(found), newer than this pmd supports (\(Store.formatVersion)); use a newer pmd"
            case let .notInitialised(directory): "\(directory) is not a pmd data directory"
            case let .lmdb(error): "LMDB: \(error)"
            case let .filesystem(message): message
            }
        }
    }

    /// Opens the store, creating the directory and tables when `readOnly` is false.
    public init(directory: String, mapSize: Int, tables: [String], readOnly: Bool = false) throws(OpenError) {
        self.directory = directory
        if !readOnly {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
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
        do {
            environment = try Environment(directory: directory, options: .init(mapSize: mapSize, readOnly: readOnly))
            try environment.openTables([Self.metaTable, Self.walTable] + tables, create: !readOnly)
        } catch {
            throw .lmdb(error)
        }
        try checkFormat(readOnly: readOnly)
        if !readOnly { try replayUnapplied() }
    }

    /// Applies the records committed to `wal` after the last checkpoint to the tables, in one
    /// transaction (start-up recovery after a crash between checkpoints).
    private func replayUnapplied() throws(OpenError) {
        do {
            let last = try lastLSN()
            let applied = try appliedLSN()
            guard applied < last else { return }
            try environment.write { txn in
                try txn.scan(Self.walTable, from: (applied + 1).walKey) { _, value in
                    try WALRecord.decode(value).apply(to: txn)
                    return true
                }
                try txn.put(Self.metaTable, key: Self.appliedKey, value: last.walKey)
            }
        } catch let error as LMDBError {
            throw .lmdb(error)
        } catch {
            throw .filesystem("write-ahead log unreadable during recovery: \(error)")
        }
    }

    private func checkFormat(readOnly: Bool) throws(OpenError) {
        do {
            let stored = try environment.read { txn in try txn.get(Self.metaTable, key: Self.formatKey) }
            if let stored {
                let version = try stored.read { reader in UInt32(try reader.readVarintUnsigned()) }
                if version > Self.formatVersion { throw OpenError.newerFormat(found: version) }
                if version < Self.formatVersion && !readOnly { try upgradeFromFormatOne() }
            } else if !readOnly {
                try writeFormat()
            }
        } catch let error as OpenError {
            throw error
        } catch let error as LMDBError {
            throw .lmdb(error)
        } catch {
            throw .filesystem("meta table unreadable: \(error)")
        }
    }

    /// Format 1 applied every record in its own commit: its tables are current up to the last LSN.
    private func upgradeFromFormatOne() throws {
        let last = try lastLSN()
        try environment.write { txn in try txn.put(Self.metaTable, key: Self.appliedKey, value: last.walKey) }
        try writeFormat()
    }

    private func writeFormat() throws {
        var writer = ByteWriter()
        writer.writeVarint(UInt64(Self.formatVersion))
        try environment.write { txn in try txn.put(Self.metaTable, key: Self.formatKey, value: writer.bytes) }
    }

    /// The LSN of the last committed record (0 for a new store).
    public func lastLSN() throws -> LSN {
        try environment.read { txn in
            guard let bytes = try txn.get(Self.metaTable, key: Self.lsnKey) else { return 0 }
            return try bytes.read { reader in try reader.readBigEndianUInt64() }
        }
    }

    /// The LSN up to which the tables hold every record's effect: the last checkpoint.
    public func appliedLSN() throws -> LSN {
        try environment.read { txn in
            guard let bytes = try txn.get(Self.metaTable, key: Self.appliedKey) else { return 0 }
            return try bytes.read { reader in try reader.readBigEndianUInt64() }
        }
    }

    /// The oldest LSN still kept in the `wal` table, or nil when it is empty.
    public func firstRetainedLSN() throws -> LSN? {
        try environment.read { txn in
            var first: LSN?
            try txn.scan(Self.walTable) { key, _ in
                first = key.reduce(0) { $0 << 8 | LSN($1) }
                return false
            }
            return first
        }
    }

    /// Visits every row of a table in key order (start-up recovery).
    public func scan(_ table: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) throws {
        try environment.read { txn in
            try txn.scan(table) { key, value in
                try body(key, value)
                return true
            }
        }
    }

    /// Retained WAL records with LSN ≥ `from`, oldest first, at most `limit`.
    public func records(from: LSN, limit: Int) throws -> [(LSN, WALRecord)] {
        try environment.read { txn in
            var result: [(LSN, WALRecord)] = []
            try txn.scan(Self.walTable, from: from.walKey) { key, value in
                let lsn = key.reduce(0) { $0 << 8 | LSN($1) }
                result.append((lsn, try WALRecord.decode(value)))
                return result.count < limit
            }
            return result
        }
    }

    /// Number of rows in a table (from LMDB's statistics, without a scan), to size memory
    /// before loading it.
    public func count(_ table: String) throws -> Int {
        try environment.read { txn in try txn.count(table) }
    }

    /// Number of records currently retained in the WAL table.
    public func retainedRecordCount() throws -> Int {
        try environment.read { txn in try txn.count(Self.walTable) }
    }
}
