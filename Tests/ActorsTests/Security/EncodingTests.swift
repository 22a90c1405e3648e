import Testing
@testable import Actors

@Suite("Base64, base64url and hex")
struct EncodingTests {
    // RFC 4648 §10 vectors, padding stripped.
    @Test func rfc4648Vectors() {
        let cases: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"),
            ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in cases {
            #expect(Base64.encodeNoPad(Array(plain.utf8)) == encoded)
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test func alphabetsDiffer() {
        let b: [UInt8] = [0xFB, 0xFF, 0xBF]
        #expect(Base64.encodeNoPad(b) == "+/+/")
        #expect(Base64URL.encode(b) == "-_-_")
        #expect(Base64.decode("-_-_") == nil)
        #expect(Base64URL.decode("+/+/") == nil)
    }

    @Test(arguments: 0...40)
    func roundTripEveryLength(length: Int) {
        let data = SecureRandom.bytes(length)
        let url = Base64URL.encode(data)
        #expect(url.utf8.count == (length * 4 + 2) / 3)
        #expect(!url.contains("=") && !url.contains("+") && !url.contains("/"))
        #expect(Base64URL.decode(url) == data)
        #expect(Base64.decode(Base64.encodeNoPad(data)) == data)
        // Every byte value survives too (fixed pattern, not just random luck).
        let pattern = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
        #expect(Base64URL.decode(Base64URL.encode(pattern)) == pattern)
    }

    @Test func rejectsInvalid() {
        #expect(Base64URL.decode("A") == nil)          // length ≡ 1 (mod 4) is impossible
        #expect(Base64URL.decode("AAAAA") == nil)
        #expect(Base64URL.decode("Zg==") == nil)       // padding is not accepted
        #expect(Base64URL.decode("Zm9v!") == nil)
        #expect(Base64URL.decode("Zm 9v") == nil)      // no whitespace
        #expect(Base64URL.decode("Zm9v\n") == nil)
        #expect(Base64URL.decode("Zh") == nil)         // non-canonical: unused bits set
        #expect(Base64URL.decode("Zm9") == nil)
        #expect(Base64URL.decode("Zm8") != nil)
        #expect(Base64URL.decode("Zm9vé") == nil)      // non-ASCII
        #expect(Base64.decode("AAAA====") == nil)
    }

    @Test func paddedBase64RoundTripsAndRejectsWrongPadding() {
        let cases: [(String, String)] = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in cases {
            #expect(Base64.encodePadded(Array(plain.utf8)) == encoded)
            #expect(Base64.decodePadded(encoded) == Array(plain.utf8))
        }
        let everyByte = (0...255).map { UInt8($0) }
        #expect(Base64.decodePadded(Base64.encodePadded(everyByte)) == everyByte)
        #expect(Base64.decodePadded("Zg") == nil)  // padding missing
        #expect(Base64.decodePadded("Zg=") == nil)
        #expect(Base64.decodePadded("Zm9v====") == nil)
        #expect(Base64.decodePadded("Z===") == nil)
        #expect(Base64.decodePadded("Zg=A") == nil)  // `=` inside
        #expect(Base64.decodePadded("Zh==") == nil)  // non-canonical: unused bits set
    }

    @Test func hex() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode("000fa5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("000FA5FF") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0x00") == nil)
    }
}
