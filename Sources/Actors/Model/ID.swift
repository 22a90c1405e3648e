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
            withText { text in _ = UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, from: text) }
            return 36
        }
    }

    /// Appends the 36 ASCII characters of the lowercase hyphenated form.
    public func write(into out: inout [UInt8]) {
        withText { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the 36 ASCII characters of the lowercase hyphenated form, filled on the
    /// stack, so a writer appends them once. Not generic on purpose: a generic one is not
    /// specialised across modules, and looking up its metadata at run time cost more than the
    /// formatting (`bench/scripts/instructions.py`).
    public func withText(_ body: (UnsafeRawBufferPointer) -> Void) {
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { text in
            let digits: StaticString = "0123456789abcdef"
            var out = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[out] = UInt8(ascii: "-")
                    out += 1
                }
                let word = index < 8 ? high : low
                let byte = UInt8(truncatingIfNeeded: word >> UInt64(56 - (index % 8) * 8))
                text[out] = digits.utf8Start[Int(byte >> 4)]
                text[out + 1] = digits.utf8Start[Int(byte & 0xf)]
                out += 2
            }
            body(UnsafeRawBufferPointer(rebasing: text[0..<36]))
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
