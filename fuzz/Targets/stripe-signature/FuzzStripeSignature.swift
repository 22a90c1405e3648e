import Actors

/// Input: a `Stripe-Signature` header, a newline, then the payload. Verification never crashes
/// and never accepts a header that was not made with the secret; the payload signed with the
/// secret verifies, and not under another secret.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStripeSignature(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0x0A) ?? size
    let header = String(decoding: bytes[..<split], as: UTF8.self)
    let payload = Array(bytes[min(split + 1, size)...])
    let secret = "whsec_fuzz"
    let now = 1_800_000_000

    let verdict = StripeSignature.verify(header: header, payload: payload, secret: secret, now: now)
    let signed = StripeSignature.sign(payload: payload, secret: secret, timestamp: now)
    // A valid verdict needs the HMAC under this secret, which the fuzzer cannot forge: the header
    // must carry the signature computed here (hex in either case is the same signature).
    let mac = signed.dropFirst("t=\(now),".count)
    precondition(verdict != .valid || header.lowercased().contains(mac), "accepted a forged signature")
    precondition(StripeSignature.verify(header: signed, payload: payload, secret: secret, now: now) == .valid, "own signature rejected")
    let other = StripeSignature.verify(header: signed, payload: payload, secret: secret + "x", now: now)
    precondition(other == .noMatchingSignature, "another secret's signature accepted")
    return 0
}
