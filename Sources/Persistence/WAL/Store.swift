import Foundation

/// The on-disk store: one LMDB environment holding the `meta` table (format version, last LSN),
/// the `wal` table (recent records by LSN) and the domain's tables (current rows).
public final class Store: Sendable {
    public let environment: Environment
    public let directory: String
    private let lock: DirectoryLock?

    /// The layout this pmd reads and writes. A data directory written by a newer pmd is refused
    /// rather than misread.
    public static let formatVersion: UInt32 = 1

    static let metaTable = "meta"
    static let walTable = "wal"
    static let formatKey = Array("format".utf8)
    static let lsnKey = Array("lsn".utf8)

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
    }

    private func checkFormat(readOnly: Bool) throws(OpenError) {
        do {
            let stored = try environment.read { txn in try txn.get(Self.metaTable, key: Self.formatKey) }
            if let stored {
                let version = try stored.read { reader in UInt32(try reader.readVarintUnsigned()) }
                if version > Self.formatVersion { throw OpenError.newerFormat(found: version) }
            } else if !readOnly {
                var writer = ByteWriter()
                writer.writeVarint(UInt64(Self.formatVersion))
                try environment.write { txn in try txn.put(Self.metaTable, key: Self.formatKey, value: writer.bytes) }
            }
        } catch let error as OpenError {
            throw error
        } catch let error as LMDBError {
            throw .lmdb(error)
        } catch {
            throw .filesystem("meta table unreadable: \(error)")
        }
    }

    /// The LSN of the last committed record (0 for a new store).
    public func lastLSN() throws -> LSN {
        try environment.read { txn in
            guard let bytes = try txn.get(Self.metaTable, key: Self.lsnKey) else { return 0 }
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

    /// Number of records currently retained in the WAL table.
    public func retainedRecordCount() throws -> Int {
        try environment.read { txn in try txn.count(Self.walTable) }
    }
}
