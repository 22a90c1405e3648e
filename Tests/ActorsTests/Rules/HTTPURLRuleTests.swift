import Testing
@testable import Actors

@Suite("Picture and logo URLs")
struct HTTPURLRuleTests {
    typealias O = RulesTestSupport.Outcome<String>

    static let valid: [String] = [
        "https://example.com/avatar.png",
        "http://example.com",
        "HTTPS://CDN.Example.com/A/B.png?size=64&v=2#x",
        "https://localhost:8443/p.png",
        "https://127.0.0.1/p.png",
        "https://[2001:db8::1]:443/p.png",
        "https://img.example.com/a%20b.png",
        "https://example.com/~user/pic_1-2.jpg?x=a,b;c=d!$'()*+",
    ]

    static let invalid: [String] = [
        "",
        "example.com/avatar.png",
        "//example.com/a.png",
        "/avatar.png",
        "ftp://example.com/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://",
        "https:///path",
        "https://exa mple.com/a.png",
        "https://example.com/a b.png",
        "https://user:pass@example.com/a.png",
        "https://good.com@evil.com/",
        "https://example.com:0/",
        "https://example.com:65536/",
        "https://example.com:/",
        "https://example.com:abc/",
        "https://-bad.com/",
        "https://exa_mple.com/",
        "https://example..com/",
        "https://exämple.com/",
        "https://example.com/ä.png",
        "https://example.com/%zz",
        "https://example.com/%4",
        "https://example.com/<script>",
        "https://[]/",
        "https://[zz::1]/",
        "https:\\\\example.com\\a.png",
        "https://example.com/\u{0}",
    ]

    @Test(arguments: valid)
    func acceptsPicture(url: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try PictureRule.validate(url) } == O.ok(url))
    }

    @Test(arguments: invalid)
    func rejectsPicture(url: String) {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try PictureRule.validate(url) }
            == O.rejected("Picture must be an absolute http or https URL"))
    }

    @Test func trimsSurroundingWhitespace() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try PictureRule.validate("  https://e.com/a.png\n") }
            == O.ok("https://e.com/a.png"))
    }

    @Test func pictureLengthLimitIs2048() {
        let prefix = "https://example.com/"
        let at2048 = prefix + String(repeating: "a", count: 2048 - prefix.count)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try PictureRule.validate(at2048) } == O.ok(at2048))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try PictureRule.validate(at2048 + "a") }
            == O.rejected("Picture must be at most 2048 characters"))
    }

    @Test func logoLengthLimitIs500() {
        let prefix = "https://example.com/"
        let at500 = prefix + String(repeating: "l", count: 500 - prefix.count)
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.logoURL(at500) } == O.ok(at500))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.logoURL(at500 + "l") }
            == O.rejected("Logo URL must be at most 500 characters"))
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try TenancyRules.logoURL("ftp://x.com/l.png") }
            == O.rejected("Logo URL must be an absolute http or https URL"))
    }
}
