import CLMDB

/// A short-lived LMDB transaction. Not Sendable: it belongs to the thread that began it.
public final class Transaction {
    let handle: OpaquePointer
    let environment: Environment
    private var finished = false

    init(environment: Environment, readOnly: Bool) throws(LMDBError) {
        var txn: OpaquePointer?
        try LMDBError.check(
            mdb_txn_begin(environment.handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn), "mdb_txn_begin")
        self.handle = txn!
        self.environment = environment
    }

    deinit { if !finished { mdb_txn_abort(handle) } }

    public func commit() throws(LMDBError) {
        finished = true
        try LMDBError.check(mdb_txn_commit(handle), "mdb_txn_commit")
    }

    public func abort() {
        guard !finished else { return }
        finished = true
        mdb_txn_abort(handle)
    }

    private func dbi(_ table: String) throws(LMDBError) -> MDB_dbi {
        guard let dbi = environment.table(table) else {
            throw LMDBError(code: MDB_NOTFOUND, operation: "table \(table) is not open")
        }
        return dbi
    }

    public func get(_ table: String, key: [UInt8]) throws(LMDBError) -> [UInt8]? {
        let dbi = try dbi(table)
        var value = MDB_val()
        let rc = key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_get(handle, dbi, &k, &value)
        }
        if rc == MDB_NOTFOUND { return nil }
        try LMDBError.check(rc, "mdb_get \(table)")
        return Array(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }

    public func put(_ table: String, key: [UInt8], value: [UInt8]) throws(LMDBError) {
        try put(dbi(table), table: table, key: key, value: value)
    }

    /// Puts a key greater than every key in the table (the log's next LSN): LMDB adds it at the
    /// right edge without a search, and fills pages instead of splitting them in half.
    public func append(_ table: String, key: [UInt8], value: [UInt8]) throws(LMDBError) {
        try put(dbi(table), table: table, key: key, value: value, flags: UInt32(MDB_APPEND))
    }

    func put(_ dbi: MDB_dbi, table: String, key: [UInt8], value: [UInt8], flags: UInt32 = 0) throws(LMDBError) {
        let rc = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var v = MDB_val(mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(handle, dbi, &k, &v, flags)
            }
        }
        try LMDBError.check(rc, "mdb_put \(table)")
    }

    /// Deletes `key`; absent keys are not an error (deletes are idempotent).
    public func delete(_ table: String, key: [UInt8]) throws(LMDBError) {
        let dbi = try dbi(table)
        let rc = key.withUnsafeBytes { keyBytes in
            var k = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_del(handle, dbi, &k, nil)
        }
        if rc == MDB_NOTFOUND { return }
        try LMDBError.check(rc, "mdb_del \(table)")
    }

    /// Empties a table (a format migration moving rows elsewhere).
    public func empty(_ table: String) throws(LMDBError) {
        guard let dbi = environment.table(table) else { return }
        try LMDBError.check(mdb_drop(handle, dbi, 0), "mdb_drop \(table)")
    }

    /// Number of entries in a table.
    public func count(_ table: String) throws(LMDBError) -> Int {
        guard let dbi = environment.table(table) else { return 0 }
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(handle, dbi, &stat), "mdb_stat \(table)")
        return stat.ms_entries
    }

    /// Visits entries in key order, starting at `from` (inclusive) when given. The buffers are
    /// only valid inside `body`; return `false` to stop.
    public func scan(
        _ table: String, from start: [UInt8]? = nil,
        reverse: Bool = false,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        guard let dbi = environment.table(table) else { return }
        var cursor: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(handle, dbi, &cursor), "mdb_cursor_open \(table)")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var rc: Int32
        if let start {
            rc = start.withUnsafeBytes { bytes in
                key = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
            }
        } else {
            rc = mdb_cursor_get(cursor, &key, &value, reverse ? MDB_LAST : MDB_FIRST)
        }
        while rc == 0 {
            let k = UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size)
            let v = UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
            if try !body(k, v) { return }
            rc = mdb_cursor_get(cursor, &key, &value, reverse ? MDB_PREV : MDB_NEXT)
        }
        if rc != MDB_NOTFOUND { try LMDBError.check(rc, "mdb_cursor_get \(table)") }
    }
}

extension Environment {
    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        let txn = try Transaction(environment: self, readOnly: true)
        defer { txn.abort() }
        return try body(txn)
    }

    /// Runs `body` in a write transaction and commits it. For set-up, tools and checkpoints:
    /// while the server runs, one thread writes each environment.
    public func write<T>(_ body: (Transaction) throws -> T) throws -> T {
        let txn = try Transaction(environment: self, readOnly: false)
        let result = try body(txn)
        try txn.commit()
        return result
    }
}
