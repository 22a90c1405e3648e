import COpenSSL

/// Validated scrypt cost parameters.
///
/// Bounds exist so that a corrupted or hostile stored hash cannot make the server allocate
/// gigabytes or spin for minutes: besides per-field ranges, `128 · r · N · p` (the memory of one
/// lane times the number of lanes run in sequence) must not exceed `maxWorkBytes` (1 GiB).
/// pmd's default N = 2^17, r = 8, p = 1 needs 128 MiB.
public struct ScryptParameters: Sendable, Hashable, CustomStringConvertible {
    /// log2 of the CPU/memory cost N.
    public let logN: Int
    /// Block size.
    public let r: Int
    /// Parallelisation (lanes, run one after another by OpenSSL).
    public let p: Int

    /// Accepted log2 N (N = 2 … 16 Mi), before the overall work cap.
    public static let logNRange = 1...24
    /// Accepted block sizes.
    public static let rRange = 1...32
    /// Accepted lane counts.
    public static let pRange = 1...16
    /// Ceiling on `128 · r · N · p` bytes (1 GiB); N = 2^20 at r = 8, p = 1 is the largest cost.
    public static let maxWorkBytes = 1 << 30

    /// The cost N = 2^logN.
    public var n: Int { 1 << logN }

    /// Bytes of the large scrypt buffer (`128 · r · N`).
    public var memoryBytes: Int { 128 * r * n }

    /// nil when a value is out of range or the combination exceeds `maxWorkBytes`.
    public init?(logN: Int, r: Int = 8, p: Int = 1) {
        guard Self.logNRange.contains(logN), Self.rRange.contains(r), Self.pRange.contains(p) else {
            return nil
        }
        // Cannot overflow: at most 2^7 · 2^5 · 2^24 · 2^4 = 2^40.
        guard 128 * r * (1 << logN) * p <= Self.maxWorkBytes else { return nil }
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// nil unless `n` is a power of two and the parameters are within bounds.
    public init?(n: Int, r: Int = 8, p: Int = 1) {
        guard n > 1, n & (n - 1) == 0 else { return nil }
        self.init(logN: n.trailingZeroBitCount, r: r, p: p)
    }

    public var description: String { "scrypt(ln=\(logN),r=\(r),p=\(p))" }
}

/// scrypt (RFC 7914) through OpenSSL's `EVP_PBE_scrypt`, without parameter policy: callers
/// validate. Thread safe (OpenSSL fetches the KDF per call and keeps no shared mutable state we
/// touch). Returns nil when OpenSSL rejects the parameters or cannot allocate.
func scryptRaw(
    password: some Collection<UInt8>,
    salt: some Collection<UInt8>,
    n: Int, r: Int, p: Int,
    length: Int
) -> [UInt8]? {
    guard n > 1, r > 0, p > 0, length > 0 else { return nil }
    // OpenSSL refuses anything needing more than `maxmem` (default 32 MiB, too little for
    // N = 2^17, r = 8). It needs 128·r·(N+2) bytes for V plus 128·r·p for B; allow exactly that
    // plus slack, computed with overflow checks so absurd inputs fail instead of trapping.
    let (blockBytes, o1) = r.multipliedReportingOverflow(by: 128)
    let (v, o2) = blockBytes.multipliedReportingOverflow(by: n &+ 2)
    let (b, o3) = blockBytes.multipliedReportingOverflow(by: p)
    let (needed, o4) = v.addingReportingOverflow(b)
    guard !o1, !o2, !o3, !o4, n < Int.max - 2, needed < Int.max - (1 << 20) else { return nil }
    let maxmem = UInt64(needed + (1 << 20))

    return withContiguousBytes(password) { pass, passCount in
        withContiguousBytes(salt) { saltPointer, saltCount in
            var key = [UInt8](repeating: 0, count: length)
            let ok = key.withUnsafeMutableBufferPointer { out in
                pass.withMemoryRebound(to: CChar.self, capacity: max(passCount, 1)) { passChars in
                    EVP_PBE_scrypt(
                        passChars, passCount, saltPointer, saltCount,
                        UInt64(n), UInt64(r), UInt64(p), maxmem,
                        out.baseAddress, length)
                }
            }
            guard ok == 1 else {
                // Leave no error on this thread's OpenSSL queue for an unrelated caller (libcurl's
                // TLS reads it) to misattribute.
                ERR_clear_error()
                return nil
            }
            return key
        }
    }
}
