import Testing
@testable import Actors

@Suite("Stripe webhook signatures")
struct StripeSignatureTests {
    static let secret = "whsec_test_secret"
    static let payload = Array(#"{"id":"evt_1","type":"customer.subscription.updated"}"#.utf8)
    static let t = 1_700_000_000
    // HMAC-SHA256("whsec_test_secret", "1700000000." + payload), computed independently in Python.
    static let knownV1 = "0d61487f09b9af74bab9136d29b42415a42bf22e4ab9eb82886337697ef0fe84"

    func verify(_ header: String, payload: [UInt8] = payload, secret: String = secret, now: Int = t) -> StripeSignature.Verdict {
        StripeSignature.verify(header: header, payload: payload, secret: secret, now: now)
    }

    @Test func signMatchesIndependentComputation() {
        #expect(StripeSignature.sign(payload: Self.payload, secret: Self.secret, timestamp: Self.t)
            == "t=1700000000,v1=\(Self.knownV1)")
    }

    @Test func valid() {
        #expect(verify("t=1700000000,v1=\(Self.knownV1)") == .valid)
        #expect(verify("t=1700000000,v1=\(Self.knownV1.uppercased())") == .valid)
        #expect(verify("t=1700000000, v1=\(Self.knownV1), v0=abc") == .valid)
        #expect(verify(StripeSignature.sign(payload: Self.payload, secret: Self.secret, timestamp: Self.t)).isValid)
    }

    @Test func anyV1MayMatch() {
        let other = String(repeating: "ab", count: 32)
        #expect(verify("t=1700000000,v1=\(other),v1=\(Self.knownV1)") == .valid)
        #expect(verify("t=1700000000,v1=nothex,v1=\(Self.knownV1)") == .valid)
        #expect(verify("t=1700000000,v1=\(other),v1=\(other)") == .noMatchingSignature)
    }

    @Test func tamperedPayloadOrWrongSecret() {
        var tampered = Self.payload
        tampered[tampered.count - 2] ^= 1
        #expect(verify("t=1700000000,v1=\(Self.knownV1)", payload: tampered) == .noMatchingSignature)
        #expect(verify("t=1700000000,v1=\(Self.knownV1)", secret: "whsec_other") == .noMatchingSignature)
        // The timestamp is signed too: changing it breaks the signature.
        #expect(verify("t=1700000001,v1=\(Self.knownV1)") == .noMatchingSignature)
        // A truncated signature is not a prefix match.
        #expect(verify("t=1700000000,v1=\(Self.knownV1.prefix(32))") == .noMatchingSignature)
        #expect(verify("t=1700000000,v1=") == .noMatchingSignature)
    }

    @Test func tolerance() {
        let header = "t=1700000000,v1=\(Self.knownV1)"
        #expect(verify(header, now: Self.t + 300) == .valid)
        #expect(verify(header, now: Self.t - 300) == .valid)
        #expect(verify(header, now: Self.t + 301) == .timestampOutsideTolerance)  // stale
        #expect(verify(header, now: Self.t - 301) == .timestampOutsideTolerance)  // from the future
        #expect(verify(header, now: Int.min) == .timestampOutsideTolerance)       // no overflow trap
        #expect(StripeSignature.verify(header: header, payload: Self.payload, secret: Self.secret,
                                       now: Self.t + 10, tolerance: 5) == .timestampOutsideTolerance)
    }

    @Test func missingParts() {
        #expect(verify("v1=\(Self.knownV1)") == .missingTimestamp)
        #expect(verify("t=1700000000") == .noSignatures)
        #expect(verify("t=1700000000,v0=\(Self.knownV1)") == .noSignatures)
        #expect(verify("") == .missingTimestamp)
    }

    @Test(arguments: [
        "garbage",
        "t=abc,v1=00",
        "t=,v1=00",
        "t=-1700000000,v1=00",
        "t=1700000000.5,v1=00",
        "t=99999999999999999999,v1=00",
        "t=1700000000,t=1700000000,v1=00",
        "t=1700000000;v1=00",
        "t=1700000000,v1",
    ])
    func malformed(header: String) {
        #expect(verify(header) == .malformed)
    }

    @Test func oversizedHeader() {
        let header = "t=1700000000," + String(repeating: "v1=\(Self.knownV1),", count: 100)
        #expect(verify(header) == .malformed)
    }
}
