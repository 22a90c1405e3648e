import ArgumentParser
import Actors
import Foundation
import Persistence
import Protocol

struct Wal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect the write-ahead log.", subcommands: [Tail.self])

    struct Tail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the newest WAL records as JSON lines (secrets redacted).",
            discussion: "Records older than PMD_WAL_RETAIN are compacted away; the tables keep the state.")

        @Option(name: [.customShort("n"), .long], help: "How many records")
        var lines = 20

        @Flag(name: .shortAndLong, help: "Keep printing new records as they are committed")
        var follow = false

        func run() async throws {
            let config = try loadConfig()
            let store: Store
            do {
                store = try Store(directory: config.dataDir, mapSize: config.mapSize, tables: Tables.all, readOnly: true)
            } catch {
                printError("wal tail: \(error)")
                throw ExitCode(1)
            }
            let last = try store.lastLSN()
            var next = last >= LSN(lines) ? last - LSN(lines) + 1 : 1
            repeat {
                let records = try store.records(from: next, limit: 1000)
                for (lsn, record) in records {
                    print(Self.render(lsn: lsn, record).compactString)
                    next = lsn + 1
                }
                if records.isEmpty && follow { try await Task.sleep(for: .milliseconds(200)) }
            } while follow
        }

        static func render(lsn: LSN, _ record: WALRecord) -> JSON {
            let ops: [JSON] = record.ops.map { op in
                switch op {
                case let .put(table, key, value):
                    return ["op": "put", "table": .string(table), "key": .string(RowInspector.key(table: table, key)), "row": row(table, value)]
                case let .delete(table, key):
                    return ["op": "delete", "table": .string(table), "key": .string(RowInspector.key(table: table, key))]
                }
            }
            return [
                "lsn": .number(JSONNumber(Int(lsn))), "at": .string(Timestamp(milliseconds: record.timestampMs).description),
                "kind": .string(record.kind), "ops": .array(ops),
            ]
        }

        static func row(_ table: String, _ value: [UInt8]) -> JSON {
            guard let fields = RowInspector.fields(table: table, value) else { return .string(Hex.encode(value)) }
            return .object(JSONObject(fields.map { ($0.0, JSON($0.1)) }))
        }
    }
}
