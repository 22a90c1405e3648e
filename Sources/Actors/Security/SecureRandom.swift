import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's CSPRNG.
public enum SecureRandom {
    /// Returns `count` random bytes from `RAND_bytes`.
    ///
    /// Terminates the process if OpenSSL's generator fails: every token and salt pmd issues
    /// depends on it, so there is no safe way to continue without it.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "SecureRandom.bytes: bad count \(count)")
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0, RAND_bytes(buffer.baseAddress, Int32(count)) != 1 {
                fatalError("SecureRandom: OpenSSL RAND_bytes failed; cannot operate securely")
            }
            initialized = count
        }
    }
}
