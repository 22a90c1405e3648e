import Testing
@testable import Actors

@Suite("Secret tokens and random bytes")
struct SecretTokenTests {
    @Test func randomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)  // 2^-256 chance of a false failure
    }

    @Test func tokenShape() {
        let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for _ in 0..<100 {
            let t = SecretToken.generate()
            #expect(t.token.utf8.count == 43)
            #expect(t.token.utf8.allSatisfy { urlSafe.contains($0) })
            #expect(Base64URL.decode(t.token)?.count == 32)
            #expect(SecretToken.isWellFormed(t.token))
        }
    }

    @Test func hashIsSHA256OfTheTokenString() {
        let t = SecretToken.generate()
        #expect(t.hash.count == 32)
        #expect(SecretToken.hash(of: t.token) == t.hash)
        #expect(t.hash == Digest.sha256(Array(t.token.utf8)))
        #expect(SecretToken.hash(of: t.token + "x") != t.hash)
    }

    @Test func tokensDiffer() {
        let tokens = Set((0..<1000).map { _ in SecretToken.generate().token })
        #expect(tokens.count == 1000)
    }

    @Test func wellFormedness() {
        #expect(!SecretToken.isWellFormed(""))
        #expect(!SecretToken.isWellFormed(String(repeating: "A", count: 42)))
        #expect(!SecretToken.isWellFormed(String(repeating: "A", count: 44)))
        #expect(SecretToken.isWellFormed(String(repeating: "A", count: 43)))
        #expect(!SecretToken.isWellFormed(String(repeating: "A", count: 42) + "="))
        #expect(!SecretToken.isWellFormed(String(repeating: "A", count: 42) + "+"))
    }

    @Test func descriptionDoesNotLeakTheToken() {
        let t = SecretToken.generate()
        #expect(!"\(t)".contains(t.token))
        #expect(!String(reflecting: t).contains(t.token))
    }
}
