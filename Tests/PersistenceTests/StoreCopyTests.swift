import Foundation
import Logging
import Testing
@testable import Persistence

@Suite struct StoreCopyTests {
    /// A copy holds every hash the store holds; it must not be readable by other local users
    /// whatever the umask of the process that makes it.
    @Test func aCopysFilesAreReadableByTheirOwnerOnly() async throws {
        let source = TempDirectory()
        let copy = TempDirectory()
        let store = try Store(directory: source.path, mapSize: 16 << 20, tables: ["items"])
        let wal = try WriteAheadLog(store: store, retain: 10, logger: Logger(label: "test"))
        wal.start()
        let lsn = try wal.append(WALRecord(kind: "item.put", timestampMs: 1, ops: [.put(table: "items", key: [1], value: [2])]))
        try await wal.waitDurable(lsn)
        let previous = umask(0o022)
        defer { umask(previous) }
        #expect(try store.copy(to: copy.path) == lsn)
        await wal.close()
        for file in ["data.mdb", "tables/data.mdb"] {
            let mode = try FileManager.default.attributesOfItem(atPath: copy.path + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
    }
}
