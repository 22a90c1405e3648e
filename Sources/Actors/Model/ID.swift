import Persistence

/// A random (version 4) UUID, printed in lowercase as SPEC §4 requires. Two words rather than
/// Foundation's UUID so hashing, comparing and formatting stay cheap on the request path.
public struct ID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new random id (RFC 9562 version 4, variant 10).
    public static func random() -> ID {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() as UInt64) & 0xffff_ffff_ffff_0fff | 0x0000_0000_0000_4000
        let low = (generator.next() as UInt64) & 0x3fff_ffff_ffff_ffff | 0x8000_0000_0000_0000
        return ID(high: high, low: low)
    }

    /// Parses the 36-character hyphenated form, upper or lower case.
    public init?(_ text: String) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibbles = 0
        var utf8 = text.utf8.makeIterator()
        var index = 0
        while let byte = utf8.next() {
            defer { index += 1 }
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if nibbles < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
            nibbles += 1
        }
        guard index == 36, nibbles == 32 else { return nil }
        self.init(high: high, low: low)
    }

    public var description: String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            forEachCharacter { byte in
                buffer[out] = byte
                out += 1
            }
            return 36
        }
    }

    /// Appends the 36 ASCII characters of the lowercase hyphenated form.
    public func write(into out: inout [UInt8]) {
        // Filled on the stack and appended once: one capacity check instead of 36.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
            var index = 0
            forEachCharacter { character in
                text[index] = character
                index += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(text))
        }
    }

    private func forEachCharacter(_ body: (UInt8) -> Void) {
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { body(UInt8(ascii: "-")) }
            let word = nibble < 16 ? high : low
            let value = UInt8((word >> UInt64(60 - (nibble % 16) * 4)) & 0xf)
            body(value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10)
        }
    }

    /// Sixteen big-endian bytes: the LMDB key form.
    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 16)
        writer.writeBigEndian(high)
        writer.writeBigEndian(low)
        return writer.bytes
    }

    public init(bytes: UnsafeRawBufferPointer) throws(ByteReader.Malformed) {
        var reader = ByteReader(bytes)
        try self.init(reader: &reader)
    }

    public init(reader: inout ByteReader) throws(ByteReader.Malformed) {
        high = try reader.readBigEndianUInt64()
        low = try reader.readBigEndianUInt64()
    }

    public static func < (a: ID, b: ID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

extension ByteWriter {
    public mutating func write(_ id: ID) {
        writeBigEndian(id.high)
        writeBigEndian(id.low)
    }

    public mutating func write(_ id: ID?) {
        write(id != nil)
        if let id { write(id) }
    }
}

extension ByteReader {
    public mutating func readID() throws(Malformed) -> ID { try ID(reader: &self) }

    public mutating func readOptionalID() throws(Malformed) -> ID? {
        try readBool() ? try readID() : nil
    }
}
