/// SPEC §6.2 email rule: practical address syntax, at most 254 characters, stored lowercased.
///
/// "Practical" means what real mailbox providers hand out, not all of RFC 5322: no quoted
/// local parts, comments, IP-literal domains or internationalised (non-ASCII) addresses.
/// Rejecting those is deliberate — they are almost always typos or abuse, and accepting them
/// would make the case-insensitive uniqueness check ambiguous.
public enum EmailRule {
    /// RFC 5321's limit on a forward path, which the spec adopts.
    public static let maxLength = 254
    /// RFC 5321's limit on the local part.
    public static let maxLocalLength = 64

    public static let requiredMessage = "Email is required"
    public static let invalidMessage = "Invalid email address"
    public static let tooLongMessage = "Email must be at most \(maxLength) characters"

    /// Trims, checks and lowercases an address.
    /// - Returns: the normalised address, the form stored and compared for uniqueness.
    public static func normalize(_ raw: String) throws(RuleViolation) -> String {
        let value = RuleText.trim(raw)
        if value.isEmpty { throw RuleViolation(requiredMessage) }
        guard isPracticalAddress(value) else { throw RuleViolation(invalidMessage) }
        // Syntax implies ASCII, so the UTF-8 count is the character count.
        if value.utf8.count > maxLength { throw RuleViolation(tooLongMessage) }
        // Lowercasing the whole address (local part included) is what makes uniqueness
        // case-insensitive; RFC 5321 allows case-sensitive local parts but no provider uses them.
        return value.lowercased()
    }

    /// The key to look an address up by, without validating it: trimmed and lowercased.
    ///
    /// For `auth.login`, where a malformed address must get the same 401 as an unknown one
    /// instead of revealing anything through a different error.
    public static func lookupKey(_ raw: String) -> String {
        RuleText.trim(raw).lowercased()
    }

    /// True when `s` (already trimmed) is `local@domain` by the rules above.
    static func isPracticalAddress(_ s: String) -> Bool {
        let bytes = s.utf8
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else { return false }
        let local = s.utf8[..<at]
        let domain = s.utf8[bytes.index(after: at)...]
        // A second "@" lands in the domain and fails the label check there.
        return isLocalPart(local) && isDomain(domain)
    }

    /// Dot-atom local part: atext runs separated by single dots.
    private static func isLocalPart(_ local: Substring.UTF8View) -> Bool {
        guard !local.isEmpty, local.count <= maxLocalLength else { return false }
        guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for b in local {
            if b == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else {
                guard isAtext(b) else { return false }
                previousWasDot = false
            }
        }
        return true
    }

    /// A host name with at least two labels and an alphabetic TLD of two or more letters.
    private static func isDomain(_ domain: Substring.UTF8View) -> Bool {
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels where !RuleText.isHostLabel(label) { return false }
        let tld = labels[labels.count - 1]
        return tld.count >= 2 && tld.allSatisfy(RuleText.isASCIILetter)
    }

    /// RFC 5322 `atext`: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~
    private static func isAtext(_ b: UInt8) -> Bool {
        if RuleText.isASCIIAlnum(b) { return true }
        return atextSymbols.contains(b)
    }

    private static let atextSymbols: Set<UInt8> = Set("!#$%&'*+-/=?^_`{|}~".utf8)
}
