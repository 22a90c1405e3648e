import Foundation
import Logging
import Testing
@testable import Persistence

/// The log's cluster-mode parts on a real LMDB: terms on records and in the stored history,
/// replicated appends, the acknowledgement floor, the checkpoint ceiling and truncation.
@Suite struct ClusterLogTests {
    static let manual = WriteAheadLog.CheckpointPolicy(records: 1_000_000, interval: .seconds(3600))

    func open(_ dir: TempDirectory, replay: Bool = true, checkpoint: WriteAheadLog.CheckpointPolicy = .everyCommit) throws -> (Store, WriteAheadLog) {
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: ["items"], replay: replay)
        let wal = try WriteAheadLog(store: store, retain: 1000, checkpoint: checkpoint, logger: Logger(label: "test"))
        wal.start()
        return (store, wal)
    }

    func record(_ n: Int, term: UInt64 = 0) -> WALRecord {
        WALRecord(kind: "item.put", timestampMs: Int64(n), ops: [.put(table: "items", key: LSN(n).walKey, value: [UInt8(n % 251)])], term: term)
    }

    func rows(_ store: Store) throws -> Set<LSN> {
        var keys: Set<LSN> = []
        try store.scan("items") { key, _ in keys.insert(key.reduce(0) { $0 << 8 | LSN($1) }) }
        return keys
    }

    @Test func recordsCarryTheTermTheLogWasGivenAndTheHistoryIsStored() async throws {
        let dir = TempDirectory()
        do {
            let (store, wal) = try open(dir)
            try await wal.waitDurable(try wal.append(record(1)))
            wal.begin(term: 3)
            try await wal.waitDurable(try wal.append(record(2)))
            try await wal.waitDurable(try wal.append(record(3)))
            #expect(try store.records(from: 1, limit: 10).map(\.1.term) == [0, 3, 3])
            await wal.close()
        }
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: ["items"])
        #expect(try store.termHistory() == TermHistory([.init(term: 0, firstLSN: 1), .init(term: 3, firstLSN: 2)]))
        #expect(try store.knownTerm() == 3)
        let wal = try WriteAheadLog(store: store, retain: 1000, logger: Logger(label: "test"))
        #expect(wal.lastTerm == 3, "a reopened log goes on in its last term")
    }

    @Test func replicatedRecordsMustComeInOrderAndNeverFromAnOlderTerm() async throws {
        let dir = TempDirectory()
        let (_, wal) = try open(dir)
        try wal.appendReplicated(1, record(1, term: 2))
        #expect(throws: WriteAheadLog.Failure.self) { try wal.appendReplicated(3, record(3, term: 2)) }
        #expect(throws: WriteAheadLog.Failure.self) { try wal.appendReplicated(2, record(2, term: 1)) }
        try wal.appendReplicated(2, record(2, term: 5))
        try await wal.waitDurable(2)
        #expect(wal.localDurableLSN == 2 && wal.lastTerm == 5)
        await wal.close()
    }

    @Test func refusedAppendsFailButReplicatedOnesAreTaken() async throws {
        let dir = TempDirectory()
        let (_, wal) = try open(dir)
        wal.refuseAppends(.init(reason: "standby", kind: .notPrimary))
        #expect(throws: WriteAheadLog.Failure.self) { _ = try wal.append(record(1)) }
        try wal.appendReplicated(1, record(1))
        wal.refuseAppends(nil)
        #expect(try wal.append(record(2)) == 2)
        await wal.close()
    }

    @Test func withAFloorNothingIsAcknowledgedBeyondWhatStandbysHold() async throws {
        let dir = TempDirectory()
        let (_, wal) = try open(dir)
        wal.acknowledge(upTo: 0)
        let lsn = try wal.append(record(1))
        let reached = Flag()
        wal.whenDurable(lsn) { failure in if failure == nil { reached.set() } }
        try await Task.sleep(for: .milliseconds(200))
        #expect(wal.localDurableLSN == 1, "on this node's disk")
        #expect(wal.durableLSN == 0 && !reached.isSet, "but not acknowledged before a standby has it")
        wal.acknowledge(upTo: 1)
        #expect(wal.durableLSN == 1 && reached.isSet)
        await wal.close()
    }

    @Test func abandonedWaitsFailWithTheReasonAndTheLogGoesOn() async throws {
        let dir = TempDirectory()
        let (_, wal) = try open(dir)
        wal.acknowledge(upTo: 0)
        let lsn = try wal.append(record(1))
        let waiter = Task { () -> WriteAheadLog.Failure.Kind? in
            do {
                try await wal.waitDurable(lsn)
                return nil
            } catch let failure as WriteAheadLog.Failure { return failure.kind } catch { return nil }
        }
        try await Task.sleep(for: .milliseconds(100))
        wal.abandonWaits(.init(reason: "Not enough standbys", kind: .notEnoughStandbys))
        #expect(await waiter.value == WriteAheadLog.Failure.Kind.notEnoughStandbys)
        #expect(wal.failure == nil)
        #expect(try wal.append(record(2)) == 2)
        await wal.close()
    }

    @Test func theCeilingKeepsRecordsOutOfTheTablesAndTheyCanThenBeDiscarded() async throws {
        let dir = TempDirectory()
        do {
            let (store, wal) = try open(dir)
            wal.limitCheckpoints(to: 2)
            for n in 1...5 { try await wal.waitDurable(try wal.append(record(n, term: 1))) }
            await wal.waitApplied(2)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try rows(store) == [1, 2])
            await wal.close()
            #expect(try store.appliedLSN() == 2, "closing applies up to the ceiling only")
        }
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: ["items"], replay: false)
        #expect(throws: Store.OpenError.self) { try store.truncateLog(after: 1) }
        let cut = try store.truncateLog(after: 3)
        #expect(cut == Store.Truncation(count: 2, first: 4, last: 5))
        #expect(try store.lastLSN() == 3)
        try store.replayUnapplied()
        #expect(try rows(store) == [1, 2, 3])
        #expect(try store.truncateLog(after: 3) == nil)
    }

    @Test func aTruncatedLogGoesOnFromItsNewEnd() async throws {
        let dir = TempDirectory()
        do {
            let (_, wal) = try open(dir, checkpoint: Self.manual)
            wal.limitCheckpoints(to: 0)
            wal.begin(term: 1)
            for n in 1...4 { try await wal.waitDurable(try wal.append(record(n))) }
            wal.begin(term: 2)
            try await wal.waitDurable(try wal.append(record(5)))
            await wal.close()
        }
        let store = try Store(directory: dir.path, mapSize: 64 << 20, tables: ["items"], replay: false)
        _ = try store.truncateLog(after: 2)
        #expect(try store.termHistory() == TermHistory([.init(term: 1, firstLSN: 1)]))
        try store.replayUnapplied()
        let wal = try WriteAheadLog(store: store, retain: 1000, logger: Logger(label: "test"))
        wal.start()
        try wal.appendReplicated(3, record(3, term: 3))
        try await wal.waitDurable(3)
        #expect(try store.records(from: 1, limit: 10).map(\.0) == [1, 2, 3])
        #expect(try store.termHistory().entries.map(\.term) == [1, 3])
        await wal.close()
    }

    /// `system.digest`'s input: the same records give the same rows, whatever has been checkpointed.
    @Test func theLogicalStateIsTheSameWhereverTheCheckpointStands() async throws {
        let ahead = TempDirectory(), behind = TempDirectory()
        let (storeA, walA) = try open(ahead, checkpoint: .everyCommit)
        let (storeB, walB) = try open(behind, checkpoint: Self.manual)
        var records: [WALRecord] = []
        for n in 1...20 { records.append(record(n)) }
        records.append(WALRecord(kind: "item.delete", timestampMs: 21, ops: [.delete(table: "items", key: LSN(3).walKey)]))
        records.append(WALRecord(kind: "item.put", timestampMs: 22, ops: [.put(table: "items", key: LSN(5).walKey, value: [42])]))
        for (index, record) in records.enumerated() {
            try walA.appendReplicated(LSN(index + 1), record)
            try walB.appendReplicated(LSN(index + 1), record)
        }
        try await walA.waitDurable(22)
        try await walB.waitDurable(22)
        await walA.waitApplied(22)
        #expect(try storeA.appliedLSN() == 22 && storeB.appliedLSN() == 0)
        func rows(_ store: Store) throws -> (LSN, [[UInt8]]) {
            var rows: [[UInt8]] = []
            let lsn = try store.visitLogicalState(tables: ["items"]) { _, key, value in rows.append(Array(key) + [0xff] + Array(value)) }
            return (lsn, rows)
        }
        let (lsnA, rowsA) = try rows(storeA)
        let (lsnB, rowsB) = try rows(storeB)
        #expect(lsnA == 22 && lsnB == 22)
        #expect(rowsA == rowsB)
        #expect(rowsA.count == 19)
        #expect(rowsA.contains(LSN(5).walKey + [0xff, 42]))
        await walA.close()
        await walB.close()
    }

    @Test func copiesKeepTheirOriginAndNewDirectoriesGetTheirOwn() throws {
        let a = TempDirectory(), b = TempDirectory(), copy = TempDirectory()
        let storeA = try Store(directory: a.path, mapSize: 64 << 20, tables: ["items"])
        let storeB = try Store(directory: b.path, mapSize: 64 << 20, tables: ["items"])
        #expect(try storeA.origin().count == 16)
        #expect(try storeA.origin() != storeB.origin())
        _ = try storeA.copy(to: copy.path)
        #expect(try Store(directory: copy.path, mapSize: 64 << 20, tables: ["items"], readOnly: true).origin() == storeA.origin())
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
