import Testing
@testable import Persistence

@Suite struct BinaryCodingTests {
    @Test func roundTripsEveryFieldKind() throws {
        var writer = ByteWriter()
        writer.write(UInt8(7))
        writer.write(true)
        writer.writeVarint(UInt64(300))
        writer.writeVarint(Int64(-5))
        writer.writeVarint(Int64.min)
        writer.writeBigEndian(0x0102_0304_0506_0708)
        writer.write("héllo")
        writer.write(nil as String?)
        writer.write("x" as String?)
        writer.write(bytes: [1, 2, 3])
        let decoded = try writer.bytes.read { reader in
            (try reader.readByte(), try reader.readBool(), try reader.readVarintUnsigned(), try reader.readVarint(),
             try reader.readVarint(), try reader.readBigEndianUInt64(), try reader.readString(),
             try reader.readOptionalString(), try reader.readOptionalString(), try reader.readBytes(), reader.isAtEnd)
        }
        #expect(decoded.0 == 7)
        #expect(decoded.1 == true)
        #expect(decoded.2 == 300)
        #expect(decoded.3 == -5)
        #expect(decoded.4 == Int64.min)
        #expect(decoded.5 == 0x0102_0304_0506_0708)
        #expect(decoded.6 == "héllo")
        #expect(decoded.7 == nil)
        #expect(decoded.8 == "x")
        #expect(decoded.9 == [1, 2, 3])
        #expect(decoded.10)
    }

    @Test func bigEndianKeysSortInNumericOrder() {
        #expect(LSN(255).walKey.lexicographicallyPrecedes(LSN(256).walKey))
        #expect(LSN(1).walKey == [0, 0, 0, 0, 0, 0, 0, 1])
    }

    @Test func truncatedInputThrowsInsteadOfCrashing() {
        var writer = ByteWriter()
        writer.write("a long enough string")
        let truncated = Array(writer.bytes.dropLast(3))
        #expect(throws: ByteReader.Malformed.self) { try truncated.read { try $0.readString() } }
        let hugeLength: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f, 1]
        #expect(throws: ByteReader.Malformed.self) { try hugeLength.read { try $0.readBytes() } }
        let endlessVarint = [UInt8](repeating: 0x80, count: 12)
        #expect(throws: ByteReader.Malformed.self) { try endlessVarint.read { try $0.readVarintUnsigned() } }
        #expect(throws: ByteReader.Malformed.self) { try [UInt8(2)].read { try $0.readBool() } }
    }

    @Test func walRecordRoundTrips() throws {
        let record = WALRecord(
            kind: "user.updated", timestampMs: 1_764_158_400_123,
            ops: [.put(table: "users", key: [1, 2], value: [3, 4, 5]), .delete(table: "sessions", key: [9])], term: 7)
        let decoded = try record.encoded().withUnsafeBytes { try WALRecord.decode($0) }
        #expect(decoded == record)
    }

    /// Logs written before terms existed hold version 1 records: they read as term 0.
    @Test func aVersionOneRecordReadsAsTermZero() throws {
        var writer = ByteWriter()
        writer.write(UInt8(1))
        writer.writeVarint(Int64(42))
        writer.write("user.signup")
        writer.writeVarint(UInt64(1))
        writer.write(UInt8(2))
        writer.write("sessions")
        writer.write(bytes: [9])
        let decoded = try writer.bytes.withUnsafeBytes { try WALRecord.decode($0) }
        #expect(decoded == WALRecord(kind: "user.signup", timestampMs: 42, ops: [.delete(table: "sessions", key: [9])], term: 0))
    }

    @Test func walRecordOfUnknownVersionIsRejected() {
        var bytes = WALRecord(kind: "k", timestampMs: 0, ops: []).encoded()
        bytes[0] = 99
        #expect(throws: ByteReader.Malformed.self) { try bytes.withUnsafeBytes { try WALRecord.decode($0) } }
    }
}
