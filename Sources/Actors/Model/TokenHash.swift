import Persistence

/// The SHA-256 of a secret token (session, reset, invitation): what pmd stores and looks up
/// instead of the token (SPEC §5.7). Four words, so dictionary hashing is cheap.
public struct TokenHash: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// Hashes a token as presented by a client.
    public init(token: String) { self.init(digest: SecretToken.hash(of: token)) }

    init(digest: [UInt8]) {
        precondition(digest.count == 32)
        func word(_ offset: Int) -> UInt64 { digest[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        a = word(0); b = word(8); c = word(16); d = word(24)
    }

    public var bytes: [UInt8] {
        var writer = ByteWriter(capacity: 32)
        for word in [a, b, c, d] { writer.writeBigEndian(word) }
        return writer.bytes
    }

    init(reader: inout ByteReader) throws(ByteReader.Malformed) {
        let raw = try reader.readRaw(32)
        self.init(digest: raw)
    }
}
