// Internal plumbing shared by the security primitives: hand any byte collection to a C function
// as one contiguous buffer without copying when the collection already is contiguous.

/// Calls `body` with a non-NULL base pointer and the byte count of `bytes`.
/// Copies only when the collection has no contiguous storage (e.g. a lazy view).
@inline(__always)
func withContiguousBytes<C: Collection<UInt8>, R>(
    _ bytes: C,
    _ body: (UnsafePointer<UInt8>, Int) -> R
) -> R {
    func call(_ buffer: UnsafeBufferPointer<UInt8>) -> R {
        if let base = buffer.baseAddress, buffer.count > 0 {
            return body(base, buffer.count)
        }
        // Empty input: pass a real one-byte buffer rather than NULL. Some OpenSSL entry points
        // give NULL a meaning of its own (HMAC's "reuse the previous key").
        var zero: UInt8 = 0
        return withUnsafePointer(to: &zero) { body($0, 0) }
    }
    if let result = bytes.withContiguousStorageIfAvailable(call) {
        return result
    }
    return Array(bytes).withUnsafeBufferPointer(call)
}

/// Same as `withContiguousBytes`, for the UTF-8 bytes of a string (native strings are contiguous).
@inline(__always)
func withUTF8Bytes<R>(_ string: String, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    withContiguousBytes(string.utf8, body)
}
