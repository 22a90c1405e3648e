import Foundation
import Logging
import NIOCore
import NIOEmbedded
import Persistence
import Testing
@testable import pmd

/// The standby's end of the stream, on an `EmbeddedChannel` with a real log underneath: records
/// go into the log at the primary's LSNs, each commit is acknowledged, and a primary of an older
/// term than this node has seen is refused (SPEC §10).
@Suite struct ReplicationReceiverTests {
    final class Known: @unchecked Sendable {
        var term: UInt64 = 0
    }

    func setUp(knownTerm: UInt64, streamTerm: UInt64) throws -> (EmbeddedChannel, WriteAheadLog, String) {
        let dir = NSTemporaryDirectory() + "pmd-receiver-" + UUID().uuidString
        let store = try Store(directory: dir, mapSize: 16 << 20, tables: ["items"])
        let feed = ReplicaFeed { _ in }
        let wal = try WriteAheadLog(store: store, retain: 100, logger: Logger(label: "test")) { feed.committed(through: $0.lastLSN) }
        wal.start()
        let known = Known()
        known.term = knownTerm
        let sink = ReplicationReceiver.Sink(
            wal: wal, feed: feed, knownTerm: { known.term }, status: { _, _, _ in }, logger: Logger(label: "test"))
        let channel = EmbeddedChannel(handler: ReplicationReceiver(term: streamTerm, sink: sink))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7420)).wait()
        #expect(channel.isActive)
        return (channel, wal, dir)
    }

    func record(_ n: Int, term: UInt64) -> [UInt8] {
        WALRecord(kind: "item", timestampMs: Int64(n), ops: [.put(table: "items", key: [UInt8(n)], value: [1])], term: term).encoded()
    }

    @Test func recordsAreCommittedAtThePrimarysLSNsAndAcknowledged() async throws {
        let (channel, wal, dir) = try setUp(knownTerm: 2, streamTerm: 2)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try channel.writeInbound(ReplicationFrame.records(first: 1, records: [record(1, term: 1), record(2, term: 2)]))
        try await wal.waitDurable(2)
        var acked: LSN = 0
        for _ in 0..<200 where acked < 2 {
            channel.embeddedEventLoop.run()
            while let out = try channel.readOutbound(as: ByteBuffer.self) {
                let frame = try out.withUnsafeReadableBytes { try ReplicationFrame.decode(body: UnsafeRawBufferPointer(rebasing: $0[4...])) }
                if case let .ack(durable) = frame { acked = max(acked, durable) }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(acked == 2)
        #expect(channel.isActive)
        await wal.close()
    }

    @Test func aPrimaryOfAnOlderTermIsRefused() async throws {
        let (channel, wal, dir) = try setUp(knownTerm: 5, streamTerm: 4)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try channel.writeInbound(ReplicationFrame.status(term: 4, acknowledged: 0, primaryDurable: 0))
        #expect(!channel.isActive, "the stream of a term-4 primary ends once term 5 is known")
        await wal.close()
    }

    @Test func aRecordOutOfOrderEndsTheStream() async throws {
        let (channel, wal, dir) = try setUp(knownTerm: 1, streamTerm: 1)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try channel.writeInbound(ReplicationFrame.records(first: 3, records: [record(3, term: 1)]))
        #expect(!channel.isActive)
        #expect(wal.lastAssignedLSN == 0)
        await wal.close()
    }
}
