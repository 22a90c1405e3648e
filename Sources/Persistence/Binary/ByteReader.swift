/// Reads what `ByteWriter` wrote. Every read is bounds-checked and throws on truncated or
/// malformed input, so a corrupt row is reported rather than crashing start-up.
public struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public struct Malformed: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        public var description: String { "malformed row at byte \(offset): \(reason)" }

        public init(offset: Int, reason: String) {
            self.offset = offset
            self.reason = reason
        }
    }

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func readByte() throws(Malformed) -> UInt8 {
        guard offset < bytes.count else { throw Malformed(offset: offset, reason: "unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(Malformed) -> Bool {
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let b: throw Malformed(offset: offset - 1, reason: "bad bool \(b)")
        }
    }

    public mutating func readVarintUnsigned() throws(Malformed) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw Malformed(offset: offset, reason: "varint too long") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func readVarint() throws(Malformed) -> Int64 {
        let raw = try readVarintUnsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws(Malformed) -> Int { Int(try readVarint()) }

    public mutating func readBigEndianUInt64() throws(Malformed) -> UInt64 {
        let raw = try readRaw(8)
        return raw.reduce(0) { $0 << 8 | UInt64($1) }
    }

    private mutating func readLength() throws(Malformed) -> Int {
        let length = try readVarintUnsigned()
        guard length <= UInt64(bytes.count - offset) else {
            throw Malformed(offset: offset, reason: "length \(length) beyond end")
        }
        return Int(length)
    }

    public mutating func readString() throws(Malformed) -> String {
        let length = try readLength()
        defer { offset += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
    }

    public mutating func readOptionalString() throws(Malformed) -> String? {
        try readBool() ? try readString() : nil
    }

    public mutating func readBytes() throws(Malformed) -> [UInt8] {
        let length = try readLength()
        return try readRaw(length)
    }

    public mutating func readRaw(_ count: Int) throws(Malformed) -> [UInt8] {
        guard count >= 0, count <= bytes.count - offset else {
            throw Malformed(offset: offset, reason: "need \(count) bytes")
        }
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    }
}

extension Array where Element == UInt8 {
    /// Decodes with a reader over this array's bytes.
    public func read<T>(_ body: (inout ByteReader) throws -> T) throws -> T {
        try withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            return try body(&reader)
        }
    }
}
