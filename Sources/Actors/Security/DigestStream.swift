import COpenSSL

/// SHA-256 of input given in pieces (EVP), for data too large to hold at once: `system.digest`
/// hashes every row of the store.
public final class DigestStream {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex2(context, FetchedDigest.sha256.md, nil) == 1 else {
            fatalError("DigestStream: OpenSSL could not start a SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The digest (32 bytes); the stream is finished.
    public func finish() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Digest.sha256Length)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return out
    }
}
