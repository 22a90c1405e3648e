import Testing
@testable import Actors

@Suite("scrypt")
struct ScryptTests {
    // RFC 7914 §12 test vectors 1–3 (vector 4 needs 1 GiB and is left out).
    @Test func rfc7914Vector1() {
        let key = scryptRaw(password: [UInt8](), salt: [UInt8](), n: 16, r: 1, p: 1, length: 64)
        #expect(key == hexVector("""
            77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442
            fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906
            """))
    }

    @Test func rfc7914Vector2() {
        let key = scryptRaw(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(key == hexVector("""
            fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162
            2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640
            """))
    }

    @Test func rfc7914Vector3() {
        // N·r = 2^17 needs 16 MiB: still under OpenSSL's default cap, but exercises our maxmem.
        let key = scryptRaw(password: Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8),
                            n: 16384, r: 8, p: 1, length: 64)
        #expect(key == hexVector("""
            7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2
            d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887
            """))
    }

    @Test func rejectedParametersGiveNil() {
        #expect(scryptRaw(password: [1], salt: [2], n: 15, r: 8, p: 1, length: 32) == nil)  // not a power of two
        #expect(scryptRaw(password: [1], salt: [2], n: 1, r: 8, p: 1, length: 32) == nil)
        #expect(scryptRaw(password: [1], salt: [2], n: 16, r: 0, p: 1, length: 32) == nil)
        #expect(scryptRaw(password: [1], salt: [2], n: 1 << 62, r: 1 << 40, p: 1, length: 32) == nil)  // overflow
        #expect(scryptRaw(password: [1], salt: [2], n: Int.max, r: Int.max, p: Int.max, length: 32) == nil)
    }

    @Test func parameterBounds() {
        #expect(ScryptParameters(n: 131072)?.logN == 17)
        #expect(ScryptParameters(n: 131072)?.memoryBytes == 128 << 20)
        #expect(ScryptParameters(n: 1 << 20) != nil)         // 1 GiB: the ceiling
        #expect(ScryptParameters(n: 1 << 21) == nil)         // 2 GiB: refused
        #expect(ScryptParameters(n: 1000) == nil)
        #expect(ScryptParameters(n: 0) == nil)
        #expect(ScryptParameters(n: 1) == nil)
        #expect(ScryptParameters(logN: 0) == nil)
        #expect(ScryptParameters(logN: 25) == nil)
        #expect(ScryptParameters(logN: 40) == nil)
        #expect(ScryptParameters(logN: 10, r: 0) == nil)
        #expect(ScryptParameters(logN: 10, r: 33) == nil)
        #expect(ScryptParameters(logN: 10, p: 0) == nil)
        #expect(ScryptParameters(logN: 10, p: 17) == nil)
        #expect(ScryptParameters(logN: 17, r: 8, p: 16) == nil)  // 2 GiB of work in total
    }
}
