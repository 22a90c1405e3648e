import Foundation
import Testing
@testable import Persistence

/// A checkpoint applies the last change of each row in key order; the tables must end exactly as
/// if every record had been applied in log order.
@Suite struct CheckpointPlanTests {
    typealias Tables = [String: [[UInt8]: [UInt8]]]

    static func apply(_ op: WALOp, to tables: inout Tables) {
        switch op {
        case let .put(table, key, value): tables[table, default: [:]][key] = value
        case let .delete(table, key): tables[table, default: [:]][key] = nil
        }
    }

    static func randomRecords(_ count: Int, keys: Int) -> [(LSN, WALRecord)] {
        (1...count).map { n in
            let ops: [WALOp] = (0..<Int.random(in: 0...3)).map { _ in
                let table = ["users", "sessions", "companies"].randomElement()!
                let key = [UInt8](repeating: UInt8.random(in: 0..<UInt8(keys)), count: Int.random(in: 1...3))
                return Bool.random() ? .put(table: table, key: key, value: [UInt8(n & 0xff), UInt8(n >> 8)]) : .delete(table: table, key: key)
            }
            return (LSN(n), WALRecord(kind: "test", timestampMs: Int64(n), ops: ops))
        }
    }

    @Test func appliedInSlicesItEqualsTheRecordsAppliedInOrder() {
        for _ in 0..<50 {
            let records = Self.randomRecords(Int.random(in: 1...300), keys: 20)
            var inOrder: Tables = ["users": [:], "sessions": [:], "companies": [:]]
            for (_, record) in records { for op in record.ops { Self.apply(op, to: &inOrder) } }

            var planned: Tables = ["users": [:], "sessions": [:], "companies": [:]]
            var plan = CheckpointPlan(records[...])
            #expect(plan.through == records.last!.0)
            #expect(plan.recordCount == records.count)
            var slices = 0
            while !plan.isDone {
                for op in plan.take(7) { Self.apply(op, to: &planned) }
                slices += 1
            }
            #expect(planned == inOrder)
            #expect(plan.take(7).isEmpty)
        }
    }

    @Test func eachRowIsWrittenOnceInTableAndKeyOrder() {
        let records: [(LSN, WALRecord)] = [
            (1, WALRecord(kind: "a", timestampMs: 1, ops: [.put(table: "users", key: [2], value: [1]), .put(table: "companies", key: [9], value: [1])])),
            (2, WALRecord(kind: "b", timestampMs: 2, ops: [.put(table: "users", key: [1], value: [2]), .delete(table: "users", key: [2])])),
            (3, WALRecord(kind: "c", timestampMs: 3, ops: [.put(table: "users", key: [1, 0], value: [3]), .put(table: "users", key: [1], value: [4])])),
        ]
        var plan = CheckpointPlan(records[...])
        #expect(Array(plan.take(.max)) == [
            .put(table: "companies", key: [9], value: [1]),
            .put(table: "users", key: [1], value: [4]),
            .put(table: "users", key: [1, 0], value: [3]),
            .delete(table: "users", key: [2]),
        ])
        #expect(plan.isDone)
        #expect(plan.through == 3)
    }
}
