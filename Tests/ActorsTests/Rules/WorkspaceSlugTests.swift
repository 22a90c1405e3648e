import Testing
@testable import Actors

@Suite("Workspace names")
struct WorkspaceSlugTests {
    @Test(arguments: [
        ("Acme Inc.", "acme-inc"),
        ("  --Hello__World--  ", "hello-world"),
        ("Ünïcödé", "n-c-d"),               // non-ASCII letters are separators (documented)
        ("Café", "caf"),
        ("Cafe\u{301} Bar", "caf-bar"),     // decomposed é is a separator too
        ("\u{212A}elvin", "elvin"),         // Kelvin sign is not ASCII "k"
        ("!!!", "workspace"),
        ("", "workspace"),
        ("日本語", "workspace"),
        ("ABC123", "abc123"),
        ("a  -  b", "a-b"),
        ("Rock'n'Roll & Co", "rock-n-roll-co"),
        ("3M", "3m"),
    ])
    func base(name: String, slug: String) {
        #expect(WorkspaceSlug.base(for: name) == slug)
    }

    @Test func longNamesAreCutTo63WithoutTrailingDash() {
        let long = String(repeating: "abcdefghi ", count: 10) // 100 characters
        #expect(long.count == 100)
        let slug = WorkspaceSlug.base(for: long)
        #expect(slug.count <= 63)
        #expect(!slug.hasSuffix("-"))
        // 6 × "abcdefghi-" is 60, then "abc" → 63; no dash at the cut.
        #expect(slug == String(repeating: "abcdefghi-", count: 6) + "abc")

        // A name whose 63rd slug character is a dash: cut, then trimmed to 62.
        let dashAt63 = String(repeating: "x", count: 62) + " yyyy"
        #expect(WorkspaceSlug.base(for: dashAt63) == String(repeating: "x", count: 62))

        let plain = String(repeating: "z", count: 100)
        #expect(WorkspaceSlug.base(for: plain) == String(repeating: "z", count: 63))
    }

    @Test func uniqueTakesSmallestFreeSuffix() {
        let taken: Set<String> = ["acme", "acme-1"]
        #expect(WorkspaceSlug.unique(base: "acme", taken: taken.contains) == "acme-2")
        #expect(WorkspaceSlug.unique(base: "beta", taken: taken.contains) == "beta")
        let gap: Set<String> = ["acme", "acme-2"]
        #expect(WorkspaceSlug.unique(base: "acme", taken: gap.contains) == "acme-1")
    }

    @Test func suffixFitsIn63ByShorteningTheBase() {
        let base = String(repeating: "a", count: 63)
        let one = WorkspaceSlug.unique(base: base, taken: { $0 == base })
        #expect(one == String(repeating: "a", count: 61) + "-1")
        #expect(one.count == 63)

        var taken: Set<String> = [base]
        for n in 1...9 { taken.insert(String(repeating: "a", count: 61) + "-\(n)") }
        let ten = WorkspaceSlug.unique(base: base, taken: taken.contains)
        #expect(ten == String(repeating: "a", count: 60) + "-10")
        #expect(ten.count == 63)

        // Shortening never leaves "--": the cut dash is trimmed before the suffix.
        let dashy = String(repeating: "b", count: 60) + "-cc"
        #expect(dashy.count == 63)
        #expect(WorkspaceSlug.unique(base: dashy, taken: { $0 == dashy }) == String(repeating: "b", count: 60) + "-1")
    }
}
