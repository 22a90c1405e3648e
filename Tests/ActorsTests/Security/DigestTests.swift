import Testing
@testable import Actors

@Suite("SHA-256 and HMAC-SHA256")
struct DigestTests {
    // FIPS 180-2 appendix B examples.
    @Test func sha256KnownAnswers() {
        #expect(Hex.encode(Digest.sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func sha256BytesAndStringAgree() {
        let s = "héllo, wörld ✓"
        #expect(Digest.sha256(s) == Digest.sha256(Array(s.utf8)))
        // A non-contiguous collection takes the copying path and must give the same answer.
        #expect(Digest.sha256(s.utf8.lazy.map { $0 }) == Digest.sha256(s))
        #expect(Digest.sha256([UInt8]()) == Digest.sha256(""))
        #expect(Digest.sha256("abc").count == 32)
    }

    // RFC 4231 §4.2, §4.3, §4.4, §4.7, §4.8.
    @Test(arguments: [
        (hexVector(String(repeating: "0b", count: 20)), Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (hexVector(String(repeating: "aa", count: 20)), hexVector(String(repeating: "dd", count: 50)),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (hexVector(String(repeating: "aa", count: 131)),
         Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (hexVector(String(repeating: "aa", count: 131)),
         Array(("This is a test using a larger than block-size key and a larger than block-size data. "
             + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func hmacRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        #expect(Hex.encode(HMAC.sha256(key: key, message: message)) == expected)
    }

    @Test func hmacEmptyKeyAndMessage() {
        // HMAC-SHA256("", "") — an empty key must not be confused with OpenSSL's NULL "reuse key".
        #expect(Hex.encode(HMAC.sha256(key: [UInt8](), message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(HMAC.sha256(key: "k", message: "m") == HMAC.sha256(key: Array("k".utf8), message: Array("m".utf8)))
    }
}
