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

    /// The same id for the same name on every node (RFC 9562 version 8, from SHA-256 of
    /// `namespace:name`): what a cluster's nodes need where each makes a row it must agree on.
    public static func derived(namespace: String, name: String) -> ID {
        let digest = Digest.sha256(namespace + ":" + name)
        func word(_ offset: Int) -> UInt64 { digest[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        return ID(high: word(0) & 0xffff_ffff_ffff_0fff | 0x0000_0000_0000_8000, low: word(8) & 0x3fff_ffff_ffff_ffff | 0x8000_0000_0000_0000)
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
            let out = text.baseAddress!
            // 8-4-4-4-12: each 32-bit quarter gives eight digits, stored whole or as two halves.
            let a = Self.hexDigits(UInt32(truncatingIfNeeded: high >> 32))
            let b = Self.hexDigits(UInt32(truncatingIfNeeded: high))
            let c = Self.hexDigits(UInt32(truncatingIfNeeded: low >> 32))
            let d = Self.hexDigits(UInt32(truncatingIfNeeded: low))
            out.storeBytes(of: a.littleEndian, toByteOffset: 0, as: UInt64.self)
            out.storeBytes(of: UInt32(truncatingIfNeeded: b).littleEndian, toByteOffset: 9, as: UInt32.self)
            out.storeBytes(of: UInt32(truncatingIfNeeded: b >> 32).littleEndian, toByteOffset: 14, as: UInt32.self)
            out.storeBytes(of: UInt32(truncatingIfNeeded: c).littleEndian, toByteOffset: 19, as: UInt32.self)
            out.storeBytes(of: UInt32(truncatingIfNeeded: c >> 32).littleEndian, toByteOffset: 24, as: UInt32.self)
            out.storeBytes(of: d.littleEndian, toByteOffset: 28, as: UInt64.self)
            let dash = UInt8(ascii: "-")
            out.storeBytes(of: dash, toByteOffset: 8, as: UInt8.self)
            out.storeBytes(of: dash, toByteOffset: 13, as: UInt8.self)
            out.storeBytes(of: dash, toByteOffset: 18, as: UInt8.self)
            out.storeBytes(of: dash, toByteOffset: 23, as: UInt8.self)
            body(UnsafeRawBufferPointer(rebasing: text[0..<36]))
        }
    }

    /// The eight lowercase hex digits of `word`, most significant first, packed so that the
    /// first digit is the lowest byte: a few shifts and masks for all eight digits instead of a
    /// table lookup and a branch per digit.
    @inline(__always)
    static func hexDigits(_ word: UInt32) -> UInt64 {
        // The word's bytes, most significant first, one per 16-bit lane.
        var x = UInt64(word.byteSwapped)
        x = (x | x << 16) & 0x0000_ffff_0000_ffff
        x = (x | x << 8) & 0x00ff_00ff_00ff_00ff
        // Each byte's high nibble, then its low nibble: one nibble per byte.
        x = (x >> 4) & 0x000f_000f_000f_000f | (x & 0x000f_000f_000f_000f) << 8
        // 0–9 → "0"–"9", 10–15 → "a"–"f": nibbles of 10 and up carry into bit 4 once 6 is added.
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
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
