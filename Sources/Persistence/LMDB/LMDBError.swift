import CLMDB

/// An LMDB return code other than success, with LMDB's own description.
public struct LMDBError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let operation: String

    public var description: String {
        "\(operation): \(String(cString: mdb_strerror(code))) (\(code))"
    }

    /// The map is full: the data no longer fits `PMD_MAP_SIZE`.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    /// Turns a return code into a thrown error.
    @inline(__always)
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if code != 0 { throw LMDBError(code: code, operation: operation()) }
    }
}
