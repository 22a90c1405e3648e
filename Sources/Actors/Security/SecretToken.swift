/// A bearer token (session, password reset, invitation) and the hash under which it is stored.
///
/// The token goes to the client once; pmd keeps only `hash`, so a copy of the database does not
/// hand out live sessions. SHA-256 without salt or stretching is enough here because the token
/// carries 256 bits of randomness: there is nothing to brute-force.
public struct SecretToken: Sendable {
    /// Number of random bytes in a token.
    public static let byteCount = 32
    /// Length of `token`: 32 bytes in unpadded base64url.
    public static let tokenLength = 43

    /// The token to hand to the client: 43 characters of `A-Z a-z 0-9 - _`.
    public let token: String
    /// SHA-256 of the token's UTF-8 bytes; the only form that is stored.
    public let hash: [UInt8]

    /// A fresh token from 32 bytes of the CSPRNG.
    public static func generate() -> SecretToken {
        let token = Base64URL.encode(SecureRandom.bytes(byteCount))
        return SecretToken(token: token, hash: hash(of: token))
    }

    /// The stored form of a token a client presented, for lookup. Hashes any string, so an
    /// unknown or malformed token simply finds nothing.
    public static func hash(of token: String) -> [UInt8] {
        Digest.sha256(token)
    }

    /// True when `token` has the shape `generate()` produces (length and alphabet). Lets callers
    /// turn away garbage before touching storage; a well-formed token may still be unknown.
    public static func isWellFormed(_ token: String) -> Bool {
        var count = 0
        for c in token.utf8 {
            count += 1
            guard count <= tokenLength else { return false }
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return false
            }
        }
        return count == tokenLength
    }
}

// Keep the token out of logs and string interpolation by accident.
extension SecretToken: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "SecretToken(<redacted>)" }
    public var debugDescription: String { description }
}
