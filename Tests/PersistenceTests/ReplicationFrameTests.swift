import Testing
@testable import Persistence

@Suite struct ReplicationFrameTests {
    func roundTrip(_ frame: ReplicationFrame) throws -> ReplicationFrame {
        let bytes = frame.encoded()
        let length = try #require(bytes.withUnsafeBytes { ReplicationFrame.announcedLength($0) })
        #expect(length == bytes.count - 4)
        return try bytes.withUnsafeBytes { try ReplicationFrame.decode(body: UnsafeRawBufferPointer(rebasing: $0[4...])) }
    }

    @Test func everyFrameRoundTrips() throws {
        let record = WALRecord(kind: "user.signup", timestampMs: 5, ops: [.put(table: "users", key: [1], value: [2, 3])], term: 4)
        let frames: [ReplicationFrame] = [
            .records(first: 1 << 40, records: [record.encoded(), record.encoded()]),
            .records(first: 7, records: []),
            .status(term: 9, acknowledged: 100, primaryDurable: 120),
            .ack(durable: 12_345_678_901),
            .file(name: "tables/data.mdb", size: 1 << 33),
            .chunk([0, 1, 2, 255]),
            .chunk([]),
            .snapshotDone(lsn: 77),
        ]
        for frame in frames { #expect(try roundTrip(frame) == frame) }
    }

    @Test func aShortPrefixAnnouncesNothing() {
        #expect([UInt8]([0, 0, 1]).withUnsafeBytes { ReplicationFrame.announcedLength($0) } == nil)
        #expect([UInt8]([0, 1, 0, 0, 9]).withUnsafeBytes { ReplicationFrame.announcedLength($0) } == 65_536)
    }

    @Test func garbageIsRefusedNotTrusted() {
        let unknown: [UInt8] = [99, 1, 2]
        #expect(throws: ByteReader.Malformed.self) { try unknown.withUnsafeBytes { try ReplicationFrame.decode(body: $0) } }
        // A record count larger than the frame could hold is refused before anything is allocated.
        let lying: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(throws: ByteReader.Malformed.self) { try lying.withUnsafeBytes { try ReplicationFrame.decode(body: $0) } }
        let truncated = Array(ReplicationFrame.status(term: 1, acknowledged: 300, primaryDurable: 400).encoded()[4..<7])
        #expect(throws: ByteReader.Malformed.self) { try truncated.withUnsafeBytes { try ReplicationFrame.decode(body: $0) } }
    }
}
