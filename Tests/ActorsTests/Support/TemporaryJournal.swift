import Foundation
import Logging
import Persistence
@testable import Actors

/// A real store and running WAL in a fresh temporary directory, removed when this goes away:
/// what a test of an actor that writes needs underneath it.
final class TemporaryJournal {
    let directory: String
    let store: Store
    let wal: WriteAheadLog
    let journal: Journal

    init(_ name: String, retain: Int = 1000, checkpoint: WriteAheadLog.CheckpointPolicy = .standard) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmd-\(name)-\(UUID().uuidString)").path
        store = try Store(directory: directory, mapSize: 16 << 20, tables: Tables.all)
        wal = try WriteAheadLog(store: store, retain: retain, checkpoint: checkpoint, logger: Logger(label: "test"))
        wal.start()
        journal = Journal(wal: wal)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}
