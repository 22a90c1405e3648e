import Testing
@testable import Actors

@Suite("Password rule")
struct PasswordRuleTests {
    typealias O = RulesTestSupport.Outcome<String>

    static func check(_ p: String) -> O {
        RulesTestSupport.run { () throws(RuleViolation) in try PasswordRule.validate(p) }
    }

    @Test(arguments: [
        (String(repeating: "a", count: 7), false),
        (String(repeating: "a", count: 8), true),
        (String(repeating: "a", count: 256), true),
        (String(repeating: "a", count: 257), false),
        ("", false),
    ])
    func asciiBoundaries(password: String, ok: Bool) {
        #expect((Self.check(password) == .ok(password)) == ok)
    }

    @Test func messages() {
        #expect(Self.check("short") == .rejected("Password must be at least 8 characters"))
        #expect(Self.check(String(repeating: "x", count: 300)) == .rejected("Password must be at most 256 characters"))
    }

    @Test func countsCharactersNotBytes() {
        // 8 characters, 24 UTF-8 bytes.
        let cjk = "密码密码密码密码"
        #expect(cjk.utf8.count == 24)
        #expect(Self.check(cjk) == .ok(cjk))
        // 7 characters of 2+ bytes each: still too short.
        #expect(Self.check("ééééééé") == .rejected("Password must be at least 8 characters"))
        // Decomposed é (e + U+0301) is one character: 8 characters, 16 scalars.
        let decomposed = String(repeating: "e\u{301}", count: 8)
        #expect(decomposed.unicodeScalars.count == 16)
        #expect(Self.check(decomposed) == .ok(decomposed))
        // 256 emoji (4 bytes each) pass, 257 do not.
        #expect(Self.check(String(repeating: "🐧", count: 256)) == .ok(String(repeating: "🐧", count: 256)))
        #expect(Self.check(String(repeating: "🐧", count: 257)) == .rejected("Password must be at most 256 characters"))
    }

    @Test func notTrimmed() {
        let p = "  spaced  "
        #expect(Self.check(p) == .ok(p))
        // 6 visible characters padded with spaces to 8 is accepted as 8 characters.
        #expect(Self.check(" abcdef ") == .ok(" abcdef "))
    }
}
