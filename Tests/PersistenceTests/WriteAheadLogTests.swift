import Foundation
import Logging
import Testing
@testable import Persistence

@Suite struct WriteAheadLogTests {
    static let tables = ["items"]

    /// Checkpoints that never come on their own: only close() applies the records.
    static let manualCheckpoints = WriteAheadLog.CheckpointPolicy(records: 1_000_000, interval: .seconds(3600))

    func open(
        _ dir: TempDirectory, mapSize: Int = 64 << 20, retain: Int = 1000,
        checkpoint: WriteAheadLog.CheckpointPolicy = .standard
    ) throws -> (Store, WriteAheadLog) {
        let store = try Store(directory: dir.path, mapSize: mapSize, tables: Self.tables)
        let wal = try WriteAheadLog(store: store, retain: retain, checkpoint: checkpoint, logger: Logger(label: "test"))
        wal.start()
        return (store, wal)
    }

    func record(_ n: Int, size: Int = 8) -> WALRecord {
        WALRecord(
            kind: "item.put", timestampMs: Int64(n),
            ops: [.put(table: "items", key: LSN(n).walKey, value: [UInt8](repeating: UInt8(n % 251), count: size))])
    }

    func items(_ store: Store) throws -> [LSN: [UInt8]] {
        var rows: [LSN: [UInt8]] = [:]
        try store.scan("items") { key, value in rows[key.reduce(0) { $0 << 8 | LSN($1) }] = Array(value) }
        return rows
    }

    @Test func concurrentAppendsShareCommitsAndAllBecomeDurable() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 1...400 {
                group.addTask {
                    let lsn = try wal.append(record(n))
                    try await wal.waitDurable(lsn)
                    #expect(wal.durableLSN >= lsn)
                }
            }
            try await group.waitForAll()
        }
        let stats = wal.stats()
        #expect(stats.records == 400)
        #expect(stats.batches < 400, "400 concurrent writers must share commits, got \(stats.batches) batches")
        #expect(stats.durableLSN == 400)
        await wal.close()
        #expect(try items(store).count == 400, "close() checkpoints: the tables hold every record")
        #expect(try store.appliedLSN() == 400)
    }

    @Test func stateAndLSNSurviveReopening() async throws {
        let dir = TempDirectory()
        do {
            let (_, wal) = try open(dir)
            for n in 1...5 { try await wal.waitDurable(try wal.append(record(n))) }
            try await wal.waitDurable(try wal.append(WALRecord(kind: "item.delete", timestampMs: 9, ops: [.delete(table: "items", key: LSN(2).walKey)])))
            await wal.close()
        }
        let (store, wal) = try open(dir)
        #expect(try store.lastLSN() == 6)
        #expect(Set(try items(store).keys) == [1, 3, 4, 5])
        #expect(try wal.append(record(7)) == 7, "LSNs continue after a restart")
        await wal.close()
    }

    /// Polls `condition` for up to five seconds: for what the checkpoint thread does on its own.
    func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while try !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        return try condition()
    }

    @Test func walTableIsTrimmedToTheRetentionWindow() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, retain: 10, checkpoint: .everyCommit)
        for n in 1...300 { try await wal.waitDurable(try wal.append(record(n))) }
        await wal.waitApplied(300)
        #expect(try items(store).count == 300, "trimming the log never drops state")
        // Once the checkpoint has applied everything, the log keeps only the retention window,
        // also with no further writes.
        #expect(try await eventually { try store.retainedRecordCount() == 10 })
        let kept = try store.records(from: 0, limit: 100).map(\.0)
        #expect(kept == Array(291...300))
        await wal.close()
    }

    @Test func commitsTrimOnlyWhatACheckpointHasApplied() async throws {
        let dir = TempDirectory()
        do {
            let (store, wal) = try open(dir, retain: 0, checkpoint: Self.manualCheckpoints)
            for n in 1...200 { try await wal.waitDurable(try wal.append(record(n))) }
            #expect(try store.retainedRecordCount() == 200, "retain 0 still keeps every unapplied record")
            #expect(wal.appliedLSN == 0)
            await wal.close()
        }
        let (reopened, again) = try open(dir, retain: 0, checkpoint: Self.manualCheckpoints)
        #expect(try reopened.appliedLSN() == 200, "close() checkpoints")
        #expect(try await eventually { try reopened.retainedRecordCount() == 0 }, "a start trims what was applied")
        try await again.waitDurable(try again.append(record(201)))
        #expect(try reopened.records(from: 0, limit: 300).map(\.0) == [201])
        await again.close()
    }

    @Test func betweenCheckpointsRecordsLiveInTheLogAndACrashReplaysThem() async throws {
        let dir = TempDirectory()
        let crashed = TempDirectory()
        do {
            let (store, wal) = try open(dir, retain: 10, checkpoint: Self.manualCheckpoints)
            for n in 1...50 { try await wal.waitDurable(try wal.append(record(n))) }
            try await wal.waitDurable(try wal.append(WALRecord(kind: "item.delete", timestampMs: 9, ops: [.delete(table: "items", key: LSN(7).walKey)])))
            #expect(try items(store).isEmpty, "group commits write the log only")
            #expect(try store.appliedLSN() == 0)
            #expect(try store.retainedRecordCount() == 51, "records not yet applied are never trimmed, whatever the retention")
            // What `kill -9` leaves on disk: the last committed transaction of each environment.
            #expect(try store.copy(to: crashed.path) == 51)
            await wal.close()
            #expect(try items(store).count == 49)
            #expect(try store.appliedLSN() == 51)
        }
        let store = try Store(directory: crashed.path, mapSize: 64 << 20, tables: Self.tables)
        #expect(try store.lastLSN() == 51)
        #expect(try store.appliedLSN() == 51, "opening applies the log's tail")
        let rows = try items(store)
        #expect(Set(rows.keys) == Set((1...50).map { LSN($0) }).subtracting([7]))
        #expect(rows[3] == [UInt8](repeating: 3, count: 8))
    }

    @Test func theLastLSNIsTheLogsLastKeyWhenMetaLagsBehind() async throws {
        // `meta` notes the last LSN only when a commit or an idle moment trims the log; commits
        // in between leave it behind, and after a crash the log's last key is the truth.
        let dir = TempDirectory()
        let crashed = TempDirectory()
        let (store, wal) = try open(dir, retain: 5, checkpoint: .init(records: 20, interval: .seconds(3600)))
        for n in 1...20 { try await wal.waitDurable(try wal.append(record(n))) }
        await wal.waitApplied(20)
        #expect(try await eventually { try store.retainedRecordCount() == 5 }, "the idle trim notes LSN 20")
        for n in 21...23 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.copy(to: crashed.path) == 23)
        await wal.close()
        let copy = try Store(directory: crashed.path, mapSize: 64 << 20, tables: Self.tables)
        #expect(try copy.lastLSN() == 23)
        let reopened = try WriteAheadLog(store: copy, retain: 5, checkpoint: .standard, logger: Logger(label: "test"))
        reopened.start()
        #expect(try reopened.append(record(24)) == 24, "LSNs continue after the log's last key")
        await reopened.close()
        #expect(Set(try items(copy).keys) == Set((1...24).map { LSN($0) }))
    }

    @Test func aCheckpointComesAfterEnoughRecordsOrTime() async throws {
        let dir = TempDirectory()
        // An interval long enough that five commits fit in it even on a loaded machine (with 1.5 s,
        // the etcd tests running beside this one made it fail).
        let (store, wal) = try open(dir, checkpoint: .init(records: 20, interval: .seconds(4)))
        for n in 1...5 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.appliedLSN() == 0)
        try await Task.sleep(for: .milliseconds(5500))
        #expect(try store.appliedLSN() == 5, "an idle writer checkpoints once the interval has passed")
        #expect(try items(store).count == 5)
        await withThrowingTaskGroup(of: Void.self) { group in
            for n in 6...45 { group.addTask { try await wal.waitDurable(try wal.append(record(n))) } }
        }
        #expect(try await eventually { try store.appliedLSN() >= 25 }, "20 waiting records force a checkpoint")
        await wal.close()
    }

    @Test func theCheckpointThreadIsWokenOnlyWhenItMustActSooner() {
        let policy = WriteAheadLog.CheckpointPolicy(records: 100, interval: .seconds(5))
        #expect(Checkpointer.wakes(queuedBefore: 0, after: 3, policy: policy), "it sleeps without a deadline while nothing is queued")
        #expect(!Checkpointer.wakes(queuedBefore: 3, after: 60, policy: policy), "its interval deadline covers a queue below the threshold")
        #expect(Checkpointer.wakes(queuedBefore: 60, after: 100, policy: policy), "reaching the threshold makes a checkpoint due now")
        #expect(Checkpointer.wakes(queuedBefore: 99, after: 140, policy: policy))
        #expect(!Checkpointer.wakes(queuedBefore: 140, after: 160, policy: policy), "already due: it is checkpointing or about to")
        let everyCommit = WriteAheadLog.CheckpointPolicy.everyCommit
        #expect(Checkpointer.wakes(queuedBefore: 0, after: 1, policy: everyCommit))
    }

    @Test func checkpointsFollowOneAnotherOnTheRecordThresholdAlone() async throws {
        let dir = TempDirectory()
        // The interval never comes: each checkpoint must be started by the hand-over that
        // reaches the threshold, including the ones after the queue was emptied.
        let (store, wal) = try open(dir, checkpoint: .init(records: 5, interval: .seconds(3600)))
        for round in 0..<3 {
            for n in 1...5 { try await wal.waitDurable(try wal.append(record(round * 5 + n))) }
            #expect(try await eventually { try store.appliedLSN() == LSN(round * 5 + 5) }, "checkpoint \(round + 1)")
        }
        #expect(try items(store).count == 15)
        await wal.close()
    }

    @Test func aCheckpointSpreadOverTransactionsFinishesWhileIdle() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, retain: 0, checkpoint: .init(records: 10, interval: .seconds(3600), perCommit: 3))
        for n in 1...9 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.appliedLSN() == 0)
        try await wal.waitDurable(try wal.append(record(10)))
        // The tenth record starts a checkpoint: three rows per transaction of the tables, until
        // none is left.
        #expect(try await eventually { try store.appliedLSN() == 10 })
        #expect(try items(store).count == 10)
        #expect(try await eventually { try store.retainedRecordCount() == 0 }, "applied records leave the log (retain 0)")
        await wal.close()
    }

    @Test func aCheckpointInKeyOrderLeavesTheTablesAsTheLogOrderWould() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, retain: 0, checkpoint: .init(records: 6, interval: .seconds(3600), perCommit: 1))
        let k1 = LSN(1).walKey, k2 = LSN(2).walKey, k3 = LSN(3).walKey
        let ops: [WALOp] = [
            .put(table: "items", key: k2, value: [1]), .put(table: "items", key: k1, value: [2]),
            .put(table: "items", key: k2, value: [3]), .delete(table: "items", key: k1),
            .put(table: "items", key: k3, value: [4]), .put(table: "items", key: k1, value: [5]),
        ]
        for (n, op) in ops.enumerated() {
            try await wal.waitDurable(try wal.append(WALRecord(kind: "item", timestampMs: Int64(n), ops: [op])))
        }
        // One row change per transaction: three of them, the checkpoint LSN written by the last.
        #expect(try await eventually { try store.appliedLSN() == 6 })
        #expect(try items(store) == [1: [5], 2: [3], 3: [4]])
        await wal.close()
    }

    /// A data directory as pmd wrote it before format 3: one environment holding `meta`, `wal`
    /// and the tables.
    func writeSingleEnvironmentDirectory(
        _ dir: TempDirectory, format: UInt64, last: LSN, applied: LSN?, rows: [LSN], log: [LSN]
    ) throws {
        let environment = try Environment(directory: dir.path, options: .init(mapSize: 64 << 20))
        try environment.openTables(["meta", "wal", "items"], create: true)
        var version = ByteWriter()
        version.writeVarint(format)
        try environment.write { txn in
            try txn.put("meta", key: Store.formatKey, value: version.bytes)
            try txn.put("meta", key: Store.lsnKey, value: last.walKey)
            if let applied { try txn.put("meta", key: Store.appliedKey, value: applied.walKey) }
            for n in rows { try txn.put("items", key: n.walKey, value: [UInt8(n)]) }
            for n in log { try txn.put("wal", key: n.walKey, value: record(Int(n)).encoded()) }
        }
    }

    func storedFormat(_ store: Store) throws -> UInt64? {
        try store.logEnvironment.read { txn in try txn.get("meta", key: Store.formatKey) }.map { try $0.read { try $0.readVarintUnsigned() } }
    }

    @Test func aFormatOneDirectoryMovesItsTablesOutOfTheLogAsTheyAre() throws {
        let dir = TempDirectory()
        // Format 1 had no checkpoint LSN: its tables were current up to the last LSN (row 2 was
        // deleted by record 3).
        try writeSingleEnvironmentDirectory(dir, format: 1, last: 3, applied: nil, rows: [1, 3], log: [1, 2, 3])
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: Self.tables)
        #expect(try store.appliedLSN() == 3)
        #expect(Set(try items(store).keys) == [1, 3], "nothing is replayed over a format 1 table")
        #expect(try storedFormat(store) == 3)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/tables/data.mdb"))
        let left = try store.logEnvironment.read { txn in try txn.count("items") }
        #expect(left == 0, "the log's environment no longer holds table rows")
    }

    @Test func aFormatTwoDirectoryMovesItsTablesAndReplaysWhatTheyLacked() async throws {
        let dir = TempDirectory()
        // Checkpointed through 2 (rows 1 and 2); records 3 and 4 only in the log.
        try writeSingleEnvironmentDirectory(dir, format: 2, last: 4, applied: 2, rows: [1, 2], log: [1, 2, 3, 4])
        do {
            let readOnly = try Store(directory: dir.path, mapSize: 64 << 20, tables: Self.tables, readOnly: true)
            #expect(Set(try items(readOnly).keys) == [1, 2], "a read-only tool reads a format 2 directory in place")
            #expect(try readOnly.appliedLSN() == 2)
        }
        do {
            let (store, wal) = try open(dir)
            #expect(try storedFormat(store) == 3)
            #expect(try store.appliedLSN() == 4)
            #expect(Set(try items(store).keys) == [1, 2, 3, 4])
            try await wal.waitDurable(try wal.append(record(5)))
            await wal.close()
        }
        let reopened = try Store(directory: dir.path, mapSize: 64 << 20, tables: Self.tables)
        #expect(Set(try items(reopened).keys) == [1, 2, 3, 4, 5])
    }

    @Test func tablesThatTheLogCannotBringUpToDateAreRefused() async throws {
        let dir = TempDirectory()
        let early = TempDirectory()
        do {
            let (store, wal) = try open(dir, retain: 0, checkpoint: .everyCommit)
            for n in 1...3 { try await wal.waitDurable(try wal.append(record(n))) }
            await wal.waitApplied(3)
            _ = try store.copy(to: early.path)
            for n in 4...6 { try await wal.waitDurable(try wal.append(record(n))) }
            await wal.waitApplied(6)
            #expect(try await eventually { try store.retainedRecordCount() == 0 })
            await wal.close()
        }
        let fm = FileManager.default
        func mixed(log: TempDirectory, tables: TempDirectory) throws -> TempDirectory {
            let mix = TempDirectory()
            try fm.copyItem(atPath: log.path + "/data.mdb", toPath: mix.path + "/data.mdb")
            try fm.copyItem(atPath: tables.path + "/tables", toPath: mix.path + "/tables")
            return mix
        }
        let ahead = try mixed(log: early, tables: dir)
        #expect {
            _ = try Store(directory: ahead.path, mapSize: 64 << 20, tables: Self.tables)
        } throws: { error in
            "\(error)".contains("ahead of the log")
        }
        let behind = try mixed(log: dir, tables: early)
        #expect {
            _ = try Store(directory: behind.path, mapSize: 64 << 20, tables: Self.tables)
        } throws: { error in
            "\(error)".contains("no longer holds record 4")
        }
    }

    @Test func newerFormatIsRefusedWithAClearError() throws {
        let dir = TempDirectory()
        do {
            let store = try Store(directory: dir.path, mapSize: 1 << 20, tables: [])
            var writer = ByteWriter()
            writer.writeVarint(UInt64(Store.formatVersion + 1))
            try store.logEnvironment.write { try $0.put("meta", key: Store.formatKey, value: writer.bytes) }
        }
        #expect {
            _ = try Store(directory: dir.path, mapSize: 1 << 20, tables: [])
        } throws: { error in
            "\(error)".contains("newer than this pmd supports")
        }
    }

    @Test func aDataDirectoryServesOneWriterAtATime() throws {
        let dir = TempDirectory()
        let first = try Store(directory: dir.path, mapSize: 1 << 20, tables: [])
        #expect {
            _ = try Store(directory: dir.path, mapSize: 1 << 20, tables: [])
        } throws: { error in
            "\(error)".contains("in use by another pmd")
        }
        _ = try Store(directory: dir.path, mapSize: 1 << 20, tables: [], readOnly: true)
        _ = first
    }

    @Test func mapFullIsFailStopAndALargerMapRecovers() async throws {
        let dir = TempDirectory()
        var acknowledged: [Int] = []
        do {
            let (_, wal) = try open(dir, mapSize: 256 << 10)
            var failed = false
            for n in 1...2000 where !failed {
                do {
                    let lsn = try wal.append(record(n, size: 2000))
                    try await wal.waitDurable(lsn)
                    acknowledged.append(n)
                } catch {
                    failed = true
                }
            }
            #expect(failed, "a 256 KiB map cannot hold 4 MB of rows")
            #expect(wal.failure != nil)
            #expect(throws: WriteAheadLog.Failure.self) { try wal.append(record(99_999)) }
            await wal.close()
        }
        let (store, wal) = try open(dir, mapSize: 64 << 20)
        let rows = try items(store)
        #expect(Set(rows.keys) == Set(acknowledged.map { LSN($0) }), "exactly the acknowledged writes are on disk")
        try await wal.waitDurable(try wal.append(record(5000)))
        await wal.close()
    }
}
