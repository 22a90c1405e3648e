/// A company's workspace name (SPEC §6.3): derived once from the company name, unique across all
/// companies, never changed afterwards.
public enum WorkspaceSlug {
    /// Longest workspace name: one DNS label, so it can later serve as a subdomain.
    public static let maxLength = 63
    /// Used when the company name has no ASCII letter or digit at all.
    public static let fallback = "workspace"

    /// The slug before uniqueness: ASCII letters lowercased and kept, ASCII digits kept, every run
    /// of anything else becomes one "-", "-" trimmed from both ends, cut to 63 characters and
    /// trimmed of a trailing "-" again (the cut may land just after one), "workspace" if empty.
    ///
    /// Non-ASCII letters are separators, exactly as the literal rule says — no transliteration
    /// ("Ünïcödé" → "n-c-d", "Café" → "caf"). Transliteration tables differ between platforms and
    /// versions, and a rule this simple gives every implementation the same answer. The input is
    /// judged per Character, so "é" is a separator whether it arrives precomposed or as
    /// "e" + combining accent; and only ASCII is case-folded, so Unicode case mappings
    /// (Kelvin sign "K" → "k") cannot smuggle letters in.
    public static func base(for companyName: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(companyName.utf8.count, maxLength + 1))
        var pendingDash = false
        for ch in companyName {
            guard let a = ch.asciiValue, RuleText.isASCIIAlnum(a) else {
                pendingDash = !out.isEmpty // leading separators are dropped
                continue
            }
            if pendingDash { out.append(UInt8(ascii: "-")); pendingDash = false }
            out.append((0x41...0x5A).contains(a) ? a + 0x20 : a)
            // Enough collected: the rest cannot change the first 63 characters.
            if out.count >= maxLength { break }
        }
        // A trailing run was never appended (pendingDash), so only the cut can leave a "-".
        return finish(ArraySlice(out.prefix(maxLength)))
    }

    /// The base if free, else `base-1`, `base-2`, … — the smallest free suffix.
    ///
    /// When `base-N` would exceed 63 characters the base is shortened (and trimmed of a trailing
    /// "-") to make room, so the result is always a valid workspace name: a 63-character base
    /// "aaa…a" gives "aaa…a-1" of exactly 63 characters.
    /// - Parameter taken: whether a workspace name is already used; called with candidates in
    ///   increasing suffix order, so it should be a cheap index lookup.
    public static func unique(base: String, taken: (String) -> Bool) -> String {
        if !taken(base) { return base }
        var n = 1
        while true {
            let candidate = suffixed(base, n)
            if !taken(candidate) { return candidate }
            n += 1
        }
    }

    /// `base-n`, shortening `base` so the whole fits in `maxLength`.
    static func suffixed(_ base: String, _ n: Int) -> String {
        let suffix = "-\(n)"
        let room = maxLength - suffix.utf8.count
        var stem = base.prefix(room) // Characters, so a non-slug base is never cut mid-scalar
        while stem.last == "-" { stem = stem.dropLast() }
        return stem + suffix
    }

    /// Trims trailing "-" and turns the bytes into a String; empty → `fallback`.
    private static func finish(_ bytes: ArraySlice<UInt8>) -> String {
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "-") { end -= 1 }
        let s = String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
        return s.isEmpty ? fallback : s
    }
}
