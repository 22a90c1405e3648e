import COpenSSL

/// Keyed message authentication codes.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(key) { keyPointer, keyCount in
            withContiguousBytes(message) { messagePointer, messageCount in
                precondition(keyCount <= Int(Int32.max), "HMAC: key too long")
                return [UInt8](unsafeUninitializedCapacity: Digest.sha256Length) { out, initialized in
                    var length: UInt32 = 0
                    // `COpenSSL.HMAC` is the C one-shot; our enum shadows it inside this module.
                    let result = COpenSSL.HMAC(
                        FetchedDigest.sha256.md, keyPointer, Int32(keyCount),
                        messagePointer, messageCount, out.baseAddress, &length)
                    guard result != nil, length == UInt32(Digest.sha256Length) else {
                        fatalError("HMAC: OpenSSL HMAC(SHA256) failed")
                    }
                    initialized = Digest.sha256Length
                }
            }
        }
    }

    /// HMAC-SHA256 with a string key and message, both taken as UTF-8 bytes.
    public static func sha256(key: String, message: String) -> [UInt8] {
        sha256(key: key.utf8, message: message.utf8)
    }
}
