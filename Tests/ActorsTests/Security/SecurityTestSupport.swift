@testable import Actors

/// Hex literal → bytes, for writing test vectors as published (whitespace ignored).
/// Traps on a typo in a vector rather than letting it pass as an empty expectation.
func hexVector(_ hex: String) -> [UInt8] {
    guard let bytes = Hex.decode(String(hex.filter { !$0.isWhitespace })) else {
        fatalError("bad hex in test vector: \(hex)")
    }
    return bytes
}
