import COpenSSL

/// Comparisons whose running time does not depend on the bytes compared.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes.
    ///
    /// Uses `CRYPTO_memcmp`, which always reads every byte. Only the lengths may influence timing:
    /// different lengths return false immediately, which leaks nothing secret because every value
    /// compared here (digests, MACs, derived keys) has a public, fixed length.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        withContiguousBytes(a) { pa, countA in
            withContiguousBytes(b) { pb, countB in
                guard countA == countB else { return false }
                return CRYPTO_memcmp(pa, pb, countA) == 0
            }
        }
    }
}
