import Testing
@testable import Actors

@Suite("Password hashing")
struct PasswordHashTests {
    // Small N keeps the suite fast; the format and logic do not depend on N.
    static let n = 1024

    @Test func roundTrip() throws {
        let h = try PasswordHash.make(password: "correct horse battery staple", n: Self.n)
        #expect(PasswordHash.verify(password: "correct horse battery staple", against: h))
        #expect(!PasswordHash.verify(password: "correct horse battery stapl", against: h))
        #expect(!PasswordHash.verify(password: "", against: h))
    }

    @Test func unicodePasswords() throws {
        let h = try PasswordHash.make(password: "pässwörd 🔑", n: Self.n)
        #expect(PasswordHash.verify(password: "pässwörd 🔑", against: h))
        #expect(!PasswordHash.verify(password: "passwort 🔑", against: h))
    }

    @Test func format() throws {
        let h = try PasswordHash.make(password: "hunter22", n: Self.n)
        let parts = h.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 5)
        #expect(parts[0] == "" && parts[1] == "scrypt" && parts[2] == "ln=10,r=8,p=1")
        let b64 = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        #expect(parts[3].utf8.count == 22 && parts[3].utf8.allSatisfy { b64.contains($0) })  // 16 bytes
        #expect(parts[4].utf8.count == 43 && parts[4].utf8.allSatisfy { b64.contains($0) })  // 32 bytes
        #expect(Base64.decode(parts[3])?.count == 16)
        #expect(Base64.decode(parts[4])?.count == 32)
    }

    @Test func saltMakesHashesDiffer() throws {
        let a = try PasswordHash.make(password: "same password", n: Self.n)
        let b = try PasswordHash.make(password: "same password", n: Self.n)
        #expect(a != b)
        #expect(PasswordHash.verify(password: "same password", against: a))
        #expect(PasswordHash.verify(password: "same password", against: b))
    }

    @Test func otherCostStillVerifies() throws {
        let old = try PasswordHash.make(password: "pw-12345", n: 2048)
        #expect(PasswordHash.parameters(of: old) == ScryptParameters(n: 2048))
        #expect(PasswordHash.verify(password: "pw-12345", against: old))
        #expect(PasswordHash.needsRehash(old, n: Self.n))
        let current = try PasswordHash.make(password: "pw-12345", n: Self.n)
        #expect(!PasswordHash.needsRehash(current, n: Self.n))
    }

    // Made independently with Python's hashlib.scrypt (salt 00..0f, N=1024, r=8, p=1, 32 bytes).
    @Test func verifiesExternallyMadeHash() {
        let h = "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU"
        #expect(PasswordHash.verify(password: "correct horse battery staple", against: h))
        #expect(!PasswordHash.verify(password: "Correct horse battery staple", against: h))
        // Another r/p inside bounds is honoured, so the same key no longer matches.
        #expect(!PasswordHash.verify(password: "correct horse battery staple",
                                     against: h.replacingFirst("r=8", with: "r=4")))
    }

    @Test(arguments: [
        "",
        "$scrypt$",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw",                       // no key
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoL$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",  // 12-byte salt
        "$scrypt$ln=10,r=8,p=1$$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",  // empty salt
        "scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$argon2id$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$r=8,ln=10,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=+10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=-1,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=40,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=24,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",  // 16 GiB
        "$scrypt$ln=0,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=999999,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8,p=100$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=99999999999999999999,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw!$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",  // bad base64
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU", // padded
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S_AXJlRU",   // url alphabet
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRUab", // impossible length
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSz",                  // truncated key (a prefix would match!)
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU$",  // extra part
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$" + String(repeating: "A", count: 400),
    ])
    func malformedIsFalse(encoded: String) {
        #expect(!PasswordHash.verify(password: "correct horse battery staple", against: encoded))
        #expect(PasswordHash.parameters(of: encoded) == nil)
        #expect(PasswordHash.needsRehash(encoded, n: 1024))
    }

    @Test func invalidCostIsRefused() {
        #expect(throws: PasswordHashError.invalidParameters) { try PasswordHash.make(password: "x", n: 1000) }
        #expect(throws: PasswordHashError.invalidParameters) { try PasswordHash.make(password: "x", n: 1 << 21) }
    }

    @Test func concurrentUse() async throws {
        // Hashing runs on a thread pool in pmd; make sure parallel calls do not interfere.
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let pw = "password-\(i)"
                    guard let h = try? PasswordHash.make(password: pw, n: Self.n) else { return false }
                    return PasswordHash.verify(password: pw, against: h)
                        && !PasswordHash.verify(password: pw + "!", against: h)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }
}

extension String {
    /// Test helper without Foundation: replace the first occurrence of `target`.
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var s = self
        s.replaceSubrange(range, with: replacement)
        return s
    }
}
