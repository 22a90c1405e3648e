import Foundation

extension Store {
    /// Writes a consistent, compacted copy of the store into `destination` (an existing, empty
    /// directory) while a server may keep writing: what `pmd backup` makes. Its files are the
    /// owner's only (0600; `Environment.copy`), as the data directory's are.
    ///
    /// Each environment is copied from a snapshot of its own, the tables first: the log copied
    /// after them holds every record the tables lack, unless the log was trimmed past the
    /// tables' checkpoint in between (only when the copy of the tables took longer than the
    /// retention window lasts). The copy is checked for that and taken again if so.
    /// Returns the last LSN the copy holds.
    public func copy(to destination: String, attempts: Int = 5) throws -> LSN {
        let fm = FileManager.default
        let tablesCopy = destination + "/" + Self.tablesDirectory
        var problem = ""
        for _ in 0..<max(attempts, 1) {
            for entry in (try? fm.contentsOfDirectory(atPath: destination)) ?? [] {
                try fm.removeItem(atPath: destination + "/" + entry)
            }
            if tablesEnvironment !== logEnvironment {
                try fm.createDirectory(atPath: tablesCopy, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                try tablesEnvironment.copy(to: tablesCopy)
            }
            try logEnvironment.copy(to: destination)
            let copy = try Store(directory: destination, mapSize: logEnvironment.usage().mapSize, tables: [], readOnly: true)
            let (applied, last) = (try copy.appliedLSN(), try copy.lastLSN())
            let first = try copy.firstRetainedLSN()
            if applied == last || first.map({ $0 <= applied + 1 }) == true { return last }
            problem = "the log was trimmed past the tables' checkpoint (LSN \(applied)) while copying"
        }
        throw OpenError.inconsistent(problem)
    }
}
