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

    @Test func walTableIsTrimmedToTheRetentionWindow() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, retain: 10, checkpoint: .everyCommit)
        for n in 1...300 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.retainedRecordCount() == 10)
        let kept = try store.records(from: 0, limit: 100).map(\.0)
        #expect(kept == Array(291...300))
        #expect(try items(store).count == 300, "trimming the log never drops state")
        await wal.close()
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
            // What `kill -9` leaves on disk: the last committed transaction, nothing else.
            try store.environment.copy(to: crashed.path)
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

    @Test func aCheckpointComesAfterEnoughRecordsOrTime() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, checkpoint: .init(records: 20, interval: .milliseconds(1500)))
        for n in 1...5 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.appliedLSN() == 0)
        try await Task.sleep(for: .milliseconds(2500))
        #expect(try store.appliedLSN() == 5, "an idle writer checkpoints once the interval has passed")
        #expect(try items(store).count == 5)
        await withThrowingTaskGroup(of: Void.self) { group in
            for n in 6...45 { group.addTask { try await wal.waitDurable(try wal.append(record(n))) } }
        }
        #expect(try store.appliedLSN() >= 25, "20 waiting records force a checkpoint")
        await wal.close()
    }

    @Test func aCheckpointSpreadOverCommitsFinishesWhileIdle() async throws {
        let dir = TempDirectory()
        let (store, wal) = try open(dir, retain: 0, checkpoint: .init(records: 10, interval: .seconds(3600), perCommit: 3))
        for n in 1...9 { try await wal.waitDurable(try wal.append(record(n))) }
        #expect(try store.appliedLSN() == 0)
        try await wal.waitDurable(try wal.append(record(10)))
        // The tenth record starts a checkpoint: three records per commit, continued without new
        // writes until none is left.
        let deadline = ContinuousClock.now + .seconds(5)
        while try store.appliedLSN() < 10 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try store.appliedLSN() == 10)
        #expect(try items(store).count == 10)
        #expect(try store.retainedRecordCount() == 0, "applied records leave the log (retain 0)")
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
        // One row change per commit: three commits, the checkpoint LSN written by the last.
        let deadline = ContinuousClock.now + .seconds(5)
        while try store.appliedLSN() < 6 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(try store.appliedLSN() == 6)
        #expect(try items(store) == [1: [5], 2: [3], 3: [4]])
        await wal.close()
    }

    @Test func aFormatOneDirectoryOpensAsFormatTwoWithItsTablesCurrent() async throws {
        let dir = TempDirectory()
        do {
            let (store, wal) = try open(dir, checkpoint: .everyCommit)
            for n in 1...3 { try await wal.waitDurable(try wal.append(record(n))) }
            await wal.close()
            // Format 1 had no checkpoint LSN: its tables were always current.
            var writer = ByteWriter()
            writer.writeVarint(UInt64(1))
            try store.environment.write { txn in
                try txn.put("meta", key: Store.formatKey, value: writer.bytes)
                try txn.delete("meta", key: Store.appliedKey)
                try txn.delete("items", key: LSN(2).walKey)
            }
        }
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: Self.tables)
        #expect(try store.appliedLSN() == 3)
        let keys = Set(try items(store).keys)
        #expect(keys == [1, 3], "nothing is replayed over a format 1 table")
        let format = try store.environment.read { txn in try txn.get("meta", key: Store.formatKey) }
        #expect(try format?.read { reader in try reader.readVarintUnsigned() } == 2)
    }

    @Test func newerFormatIsRefusedWithAClearError() throws {
        let dir = TempDirectory()
        do {
            let store = try Store(directory: dir.path, mapSize: 1 << 20, tables: [])
            var writer = ByteWriter()
            writer.writeVarint(UInt64(Store.formatVersion + 1))
            try store.environment.write { try $0.put("meta", key: Store.formatKey, value: writer.bytes) }
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
