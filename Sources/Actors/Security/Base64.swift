// Base64 without padding, in both alphabets, written out here rather than borrowed from
// Foundation (not wanted in the library) or OpenSSL (whose EVP_EncodeBlock always pads and
// whose decoder is lenient about whitespace and trailing bits).

/// A base64 alphabet with its reverse table. Decoding is strict: no padding, no whitespace,
/// no characters outside the alphabet, and the unused low bits of the last character must be
/// zero, so every byte string has exactly one accepted encoding.
struct Base64Codec: Sendable {
    private let alphabet: [UInt8]
    /// Maps an ASCII byte to its 6-bit value, or 0xFF when it is not in the alphabet.
    private let reverse: [UInt8]

    init(_ alphabet: String) {
        let symbols = Array(alphabet.utf8)
        precondition(symbols.count == 64)
        var reverse = [UInt8](repeating: 0xFF, count: 256)
        for (value, symbol) in symbols.enumerated() { reverse[Int(symbol)] = UInt8(value) }
        self.alphabet = symbols
        self.reverse = reverse
    }

    static let standard = Base64Codec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    static let url = Base64Codec("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    func encode(_ bytes: some Collection<UInt8>) -> String {
        withContiguousBytes(bytes) { input, count in
            let outputCount = (count * 4 + 2) / 3
            return String(unsafeUninitializedCapacity: outputCount) { out in
                alphabet.withUnsafeBufferPointer { table in
                    var i = 0, o = 0
                    while i + 3 <= count {
                        let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                        out[o] = table[Int(v >> 18 & 63)]
                        out[o + 1] = table[Int(v >> 12 & 63)]
                        out[o + 2] = table[Int(v >> 6 & 63)]
                        out[o + 3] = table[Int(v & 63)]
                        i += 3; o += 4
                    }
                    switch count - i {
                    case 1:
                        let v = UInt32(input[i]) << 16
                        out[o] = table[Int(v >> 18 & 63)]
                        out[o + 1] = table[Int(v >> 12 & 63)]
                        o += 2
                    case 2:
                        let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                        out[o] = table[Int(v >> 18 & 63)]
                        out[o + 1] = table[Int(v >> 12 & 63)]
                        out[o + 2] = table[Int(v >> 6 & 63)]
                        o += 3
                    default:
                        break
                    }
                    return o
                }
            }
        }
    }

    func decode(_ string: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(string.utf8)
        let count = utf8.count
        // A lone trailing character carries only 6 bits: no byte string encodes to that length.
        if count % 4 == 1 { return nil }
        return utf8.withUnsafeBufferPointer { input -> [UInt8]? in
            reverse.withUnsafeBufferPointer { table -> [UInt8]? in
                var output = [UInt8]()
                output.reserveCapacity(count * 3 / 4)
                var i = 0
                var bad: UInt8 = 0  // OR of all lookups; 0xFF anywhere means an invalid character
                while i + 4 <= count {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    bad |= a | b | c | d
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    output.append(UInt8(truncatingIfNeeded: v >> 16))
                    output.append(UInt8(truncatingIfNeeded: v >> 8))
                    output.append(UInt8(truncatingIfNeeded: v))
                    i += 4
                }
                switch count - i {
                case 2:
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    bad |= a | b
                    if b & 0x0F != 0 { return nil }  // non-canonical: unused bits set
                    output.append(UInt8(truncatingIfNeeded: UInt32(a) << 2 | UInt32(b) >> 4))
                case 3:
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])]
                    bad |= a | b | c
                    if c & 0x03 != 0 { return nil }  // non-canonical: unused bits set
                    let v = UInt32(a) << 10 | UInt32(b) << 4 | UInt32(c) >> 2
                    output.append(UInt8(truncatingIfNeeded: v >> 8))
                    output.append(UInt8(truncatingIfNeeded: v))
                default:
                    break
                }
                // Valid 6-bit values never have the top bits set; 0xFF (invalid) always does.
                return bad & 0xC0 == 0 ? output : nil
            }
        }
    }
}

/// URL- and filename-safe base64 (RFC 4648 §5) without padding, as used for tokens in links.
public enum Base64URL {
    /// Encodes `bytes` with `-` and `_`, no `=` padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.url.encode(bytes)
    }

    /// Decodes unpadded base64url; nil for any character outside the alphabet (including `=`),
    /// an impossible length, or non-zero unused trailing bits.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        Base64Codec.url.decode(string)
    }
}

/// Standard base64 (RFC 4648 §4) without padding, as used inside PHC password-hash strings.
public enum Base64 {
    /// Encodes `bytes` with `+` and `/`, no `=` padding.
    public static func encodeNoPad(_ bytes: some Collection<UInt8>) -> String {
        Base64Codec.standard.encode(bytes)
    }

    /// Decodes unpadded standard base64; nil for any character outside the alphabet (including
    /// `=`), an impossible length, or non-zero unused trailing bits.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        Base64Codec.standard.decode(string)
    }

    /// Encodes `bytes` with `+` and `/`, padded with `=` to a multiple of four characters: the
    /// form Go's `encoding/json` writes and demands for `[]byte` (etcd's JSON gateway, for one).
    public static func encodePadded(_ bytes: some Collection<UInt8>) -> String {
        let unpadded = Base64Codec.standard.encode(bytes)
        return unpadded + String(repeating: "=", count: (4 - unpadded.utf8.count % 4) % 4)
    }

    /// Decodes padded standard base64: the length must be a multiple of four and the padding
    /// exactly what `encodePadded` writes; otherwise as strict as `decode`.
    public static func decodePadded(_ string: some StringProtocol) -> [UInt8]? {
        let utf8 = string.utf8
        guard utf8.count % 4 == 0 else { return nil }
        let padding = utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        return Base64Codec.standard.decode(string.dropLast(padding))
    }
}
