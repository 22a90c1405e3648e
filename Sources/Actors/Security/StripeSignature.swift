/// Verification of Stripe webhook signatures (the `Stripe-Signature` header).
///
/// Stripe signs `"<t>.<raw body>"` with HMAC-SHA256 under the endpoint's signing secret (the
/// whole `whsec_…` string as UTF-8 key) and sends `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`.
/// Several `v1` entries appear while a secret is being rolled; any one matching is enough.
/// Pure: the clock is passed in.
public enum StripeSignature {
    /// Outcome of `verify`. Everything but `.valid` must be answered with 400.
    public enum Verdict: Sendable, Equatable {
        case valid
        /// No `t=` entry.
        case missingTimestamp
        /// No `v1=` entry (a `v0` test-mode signature alone is not accepted).
        case noSignatures
        /// Authentic, but signed more than `tolerance` seconds from now: a replay or a bad clock.
        case timestampOutsideTolerance
        /// No `v1` matches the payload under this secret.
        case noMatchingSignature
        /// Not a list of `key=value` entries, a non-numeric or repeated `t`, or absurdly long.
        case malformed

        public var isValid: Bool { self == .valid }
    }

    /// Stripe's own default tolerance, in seconds.
    public static let defaultTolerance = 300
    /// Longer headers are rejected unread (a real one with two signatures is ~160 bytes).
    static let maxHeaderLength = 4096

    /// Checks `header` against the raw request body `payload`.
    ///
    /// The signature is checked before the timestamp so that `.timestampOutsideTolerance` is only
    /// reported for messages that really came from Stripe, which makes it a useful log signal.
    public static func verify(
        header: String,
        payload: some Collection<UInt8>,
        secret: String,
        now: Int,
        tolerance: Int = defaultTolerance
    ) -> Verdict {
        guard header.utf8.count <= maxHeaderLength else { return .malformed }

        var timestamp: Substring?
        var signatures: [Substring] = []
        for rawItem in header.split(separator: ",", omittingEmptySubsequences: true) {
            let item = trimmed(rawItem)
            if item.isEmpty { continue }  // tolerate "a=1,,b=2" and a trailing comma
            guard let eq = item.firstIndex(of: "=") else { return .malformed }
            let key = item[..<eq], value = item[item.index(after: eq)...]
            switch key {
            case "t":
                guard timestamp == nil, isUnsignedDecimal(value) else { return .malformed }
                timestamp = value
            case "v1":
                signatures.append(value)
            default:
                continue  // v0 and future schemes are not ours to judge
            }
        }
        guard let timestamp else { return .missingTimestamp }
        guard !signatures.isEmpty else { return .noSignatures }

        let expected = mac(timestamp: timestamp, payload: payload, secret: secret)
        var matched = false
        for candidate in signatures {
            // Undecodable or wrong-length entries simply fail to match (equals checks length).
            if let bytes = Hex.decode(candidate), ConstantTime.equals(bytes, expected) {
                matched = true
            }
        }
        guard matched else { return .noMatchingSignature }

        // isUnsignedDecimal capped t at 15 digits, so it parses; the subtraction is still checked.
        guard let t = Int(timestamp) else { return .malformed }
        let (skew, overflow) = now.subtractingReportingOverflow(t)
        guard !overflow, skew.magnitude <= UInt(max(tolerance, 0)) else { return .timestampOutsideTolerance }
        return .valid
    }

    /// The header value Stripe would send for `payload` signed at `timestamp` (for tests and
    /// local tooling): `t=<timestamp>,v1=<hex>`.
    public static func sign(payload: some Collection<UInt8>, secret: String, timestamp: Int) -> String {
        let t = String(timestamp)
        return "t=\(t),v1=" + Hex.encode(mac(timestamp: t[...], payload: payload, secret: secret))
    }

    /// HMAC-SHA256 over `"<t>.<payload>"`, using the timestamp exactly as written in the header.
    private static func mac(timestamp: Substring, payload: some Collection<UInt8>, secret: String) -> [UInt8] {
        var message = [UInt8]()
        message.reserveCapacity(timestamp.utf8.count + 1 + payload.count)
        message.append(contentsOf: timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: payload)
        return HMAC.sha256(key: secret.utf8, message: message)
    }

    private static func isUnsignedDecimal(_ s: Substring) -> Bool {
        (1...15).contains(s.utf8.count) && s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    private static func trimmed(_ s: Substring) -> Substring {
        var s = s
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
