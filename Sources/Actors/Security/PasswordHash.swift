/// Why a password hash could not be made.
public enum PasswordHashError: Error, Sendable, Equatable {
    /// N is not a power of two or the parameters are outside `ScryptParameters`' bounds.
    case invalidParameters
    /// OpenSSL refused or could not allocate the scrypt buffer.
    case derivationFailed
}

/// Password hashing with scrypt in a self-describing PHC-style string:
///
///     $scrypt$ln=17,r=8,p=1$<16-byte salt, base64 no pad>$<32-byte key, base64 no pad>
///
/// Both functions are synchronous and CPU/memory heavy (N = 2^17: ~0.6 s of one core, 128 MiB):
/// run them on a thread pool, never on an actor's executor or an event loop. They are thread safe
/// and share no mutable state.
public enum PasswordHash {
    public static let saltLength = 16
    public static let keyLength = 32

    /// Stored strings longer than this are rejected before parsing (a real one is ~90 chars).
    static let maxEncodedLength = 256
    /// Accepted lengths when reading stored salts and keys. We write 16 and 32; longer ones (from
    /// another tool) are fine, shorter ones are refused: scrypt output for a shorter length is a
    /// prefix of the longer one, so a truncated record would still "verify" with less security.
    static let storedSaltLengths = 16...64
    static let storedKeyLengths = 32...64

    /// Hashes `password` (its UTF-8 bytes) with scrypt N = `n`, r = 8, p = 1 and a fresh salt.
    public static func make(password: String, n: Int) throws(PasswordHashError) -> String {
        guard let parameters = ScryptParameters(n: n, r: 8, p: 1) else {
            throw .invalidParameters
        }
        return try make(password: password, parameters: parameters)
    }

    /// Hashes `password` with explicit scrypt parameters and a fresh 16-byte salt.
    public static func make(password: String, parameters: ScryptParameters) throws(PasswordHashError) -> String {
        let salt = SecureRandom.bytes(saltLength)
        guard let key = scryptRaw(
            password: password.utf8, salt: salt,
            n: parameters.n, r: parameters.r, p: parameters.p, length: keyLength)
        else {
            throw .derivationFailed
        }
        return encode(parameters: parameters, salt: salt, key: key)
    }

    /// True when `password` matches `encoded`. Uses the parameters stored in `encoded`, so hashes
    /// made under an older N keep verifying. A malformed, unsupported or out-of-bounds string, or
    /// a failed derivation, gives false; the key comparison is constant time.
    public static func verify(password: String, against encoded: String) -> Bool {
        guard let stored = parse(encoded) else { return false }
        guard let derived = scryptRaw(
            password: password.utf8, salt: stored.salt,
            n: stored.parameters.n, r: stored.parameters.r, p: stored.parameters.p,
            length: stored.key.count)
        else {
            return false
        }
        return ConstantTime.equals(derived, stored.key)
    }

    /// The parameters recorded in `encoded`, or nil if it is not a valid hash string.
    public static func parameters(of encoded: String) -> ScryptParameters? {
        parse(encoded)?.parameters
    }

    /// True when `encoded` was not made with N = `n`, r = 8, p = 1 (or cannot be read), so it
    /// should be replaced after the next successful login.
    public static func needsRehash(_ encoded: String, n: Int) -> Bool {
        parameters(of: encoded) != ScryptParameters(n: n, r: 8, p: 1)
    }

    // MARK: - Format

    struct Stored {
        var parameters: ScryptParameters
        var salt: [UInt8]
        var key: [UInt8]
    }

    static func encode(parameters: ScryptParameters, salt: [UInt8], key: [UInt8]) -> String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$"
            + Base64.encodeNoPad(salt) + "$" + Base64.encodeNoPad(key)
    }

    /// Strict parser: exactly `$scrypt$ln=A,r=B,p=C$salt$key`, parameters in that order, plain
    /// decimal values, parameters within `ScryptParameters`' bounds.
    static func parse(_ encoded: String) -> Stored? {
        guard encoded.utf8.count <= maxEncodedLength else { return nil }
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }

        let fields = parts[2].split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3,
              let logN = decimal(fields[0], prefix: "ln="),
              let r = decimal(fields[1], prefix: "r="),
              let p = decimal(fields[2], prefix: "p="),
              let parameters = ScryptParameters(logN: logN, r: r, p: p)
        else { return nil }

        guard let salt = Base64.decode(parts[3]), storedSaltLengths.contains(salt.count),
              let key = Base64.decode(parts[4]), storedKeyLengths.contains(key.count)
        else { return nil }
        return Stored(parameters: parameters, salt: salt, key: key)
    }

    /// The value of `field` after `prefix`: 1 to 4 ASCII digits (no sign, no spaces).
    private static func decimal(_ field: Substring, prefix: String) -> Int? {
        guard field.hasPrefix(prefix) else { return nil }
        let digits = field.utf8.dropFirst(prefix.utf8.count)
        guard (1...4).contains(digits.count) else { return nil }
        var value = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(d - UInt8(ascii: "0"))
        }
        return value
    }
}
