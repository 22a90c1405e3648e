import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One LMDB environment (a directory holding `data.mdb` and `lock.mdb`) and its named tables.
///
/// While pmd serves, one thread writes each environment (the log's writer, the checkpointer);
/// start-up recovery, `pmd backup` and `pmd wal tail` use read transactions, which LMDB lets run
/// beside the writer (also from another process) without blocking it.
public final class Environment: @unchecked Sendable {
    let handle: OpaquePointer
    private var tables: [String: MDB_dbi] = [:]

    public struct Options: Sendable {
        public var mapSize: Int
        public var readOnly: Bool
        public var maxTables: UInt32
        public init(mapSize: Int, readOnly: Bool = false, maxTables: UInt32 = 32) {
            self.mapSize = mapSize
            self.readOnly = readOnly
            self.maxTables = maxTables
        }
    }

    /// Opens (creating when writable and absent) the environment in `directory`.
    public init(directory: String, options: Options) throws(LMDBError) {
        var env: OpaquePointer?
        try LMDBError.check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: -1, operation: "mdb_env_create") }
        handle = env
        do {
            try LMDBError.check(mdb_env_set_maxdbs(env, options.maxTables), "mdb_env_set_maxdbs")
            try LMDBError.check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            // NOTLS: read transactions are not bound to a thread, so Swift tasks may use them.
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            try LMDBError.check(mdb_env_open(env, directory, flags, 0o600), "mdb_env_open \(directory)")
            // A reader slot left by a killed process would pin old pages forever.
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)
        } catch {
            mdb_env_close(env)
            throw error
        }
    }

    deinit { mdb_env_close(handle) }

    /// Opens the named tables, creating them unless read-only. Must run before other transactions.
    public func openTables(_ names: [String], create: Bool) throws(LMDBError) {
        let txn = try Transaction(environment: self, readOnly: !create)
        for name in names {
            var dbi: MDB_dbi = 0
            let rc = mdb_dbi_open(txn.handle, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
            if rc == MDB_NOTFOUND && !create { continue }
            try LMDBError.check(rc, "mdb_dbi_open \(name)")
            tables[name] = dbi
        }
        try txn.commit()
    }

    /// The handle of an opened table; `nil` when it does not exist (read-only opening).
    public func table(_ name: String) -> MDB_dbi? { tables[name] }

    public func hasTable(_ name: String) -> Bool { tables[name] != nil }

    /// Flushes to disk; used at shutdown (commits are already synchronous).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// A consistent copy of the environment into `directory` (which must exist and be empty),
    /// compacted and flushed; safe while another process writes.
    ///
    /// The file is opened here rather than by `mdb_env_copy2`, which creates it with mode 0666
    /// less the umask: a backup holds password and token hashes, so it is the owner's alone
    /// (0600), like the environment it copies.
    public func copy(to directory: String) throws(LMDBError) {
        let path = directory + "/data.mdb"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LMDBError(code: errno, operation: "open \(path)") }
        defer { close(fd) }
        try LMDBError.check(mdb_env_copyfd2(handle, fd, UInt32(MDB_CP_COMPACT)), "mdb_env_copyfd2 \(path)")
        guard fsync(fd) == 0 else { throw LMDBError(code: errno, operation: "fsync \(path)") }
    }

    /// Map size and bytes in use (last used page × page size).
    public func usage() -> (mapSize: Int, used: Int) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(handle, &info)
        mdb_env_stat(handle, &stat)
        return (info.me_mapsize, (info.me_last_pgno + 1) * Int(stat.ms_psize))
    }
}
