/// Shared rule for user-supplied links (`picture`, `logoUrl`): an absolute http or https URL
/// with a host.
///
/// Parsed by hand rather than with Foundation's `URL`, which accepts relative references,
/// spaces on some platforms and scheme-less strings; here every accepted URL is one a browser
/// can load as an `<img src>` without surprises. What is accepted:
/// - scheme `http` or `https` (any case), then `//`;
/// - no userinfo (`user:pass@`): credentials must not be stored in a public profile, and
///   `http://good.com@evil.com` is a classic spoof;
/// - a host that is a DNS name (labels of ASCII letters/digits/hyphens) or a bracketed IPv6
///   literal, optionally `:port` (1...65535);
/// - then any path/query/fragment of printable ASCII that RFC 3986 allows, `%` followed by two
///   hex digits. Non-ASCII (IRIs) must be percent-encoded by the client.
public enum HTTPURLRule {
    /// Validates a trimmed URL.
    /// - Parameters:
    ///   - label: the field's human name in messages ("Picture", "Logo URL").
    ///   - maxLength: the upper bound in characters (ASCII, so also bytes).
    /// - Returns: the trimmed URL, otherwise unchanged (no case folding: paths are case-sensitive).
    public static func validate(_ raw: String, label: String, maxLength: Int) throws(RuleViolation) -> String {
        let value = RuleText.trim(raw)
        guard isHTTPURL(value) else { throw RuleViolation("\(label) must be an absolute http or https URL") }
        if value.utf8.count > maxLength { throw RuleViolation("\(label) must be at most \(maxLength) characters") }
        return value
    }

    /// True when `s` is an absolute http(s) URL by the rules above.
    static func isHTTPURL(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard allowedCharacters(bytes) else { return false }
        guard let afterScheme = schemeEnd(bytes) else { return false }
        let authorityEnd = bytes[afterScheme...].firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) // / ? #
            ?? bytes.endIndex
        return isAuthority(bytes[afterScheme..<authorityEnd])
    }

    /// Index just past `http://` or `https://`, compared case-insensitively.
    private static func schemeEnd(_ b: [UInt8]) -> Int? {
        for prefix in ["http://", "https://"] {
            let p = Array(prefix.utf8)
            if b.count >= p.count, zip(b, p).allSatisfy({ lowerASCII($0) == $1 }) { return p.count }
        }
        return nil
    }

    /// `host[:port]` with no userinfo.
    private static func isAuthority(_ a: ArraySlice<UInt8>) -> Bool {
        guard !a.isEmpty, !a.contains(0x40) else { return false } // "@": userinfo refused
        var hostPart = a
        var portPart: ArraySlice<UInt8>? = nil
        if a.first == 0x5B { // "[" IPv6 literal
            guard let close = a.firstIndex(of: 0x5D) else { return false }
            let inside = a[(a.startIndex + 1)..<close]
            guard !inside.isEmpty, inside.contains(0x3A),
                  inside.allSatisfy({ isHex($0) || $0 == 0x3A || $0 == 0x2E }) else { return false }
            hostPart = a[a.startIndex...close]
            let rest = a[(close + 1)...]
            if !rest.isEmpty {
                guard rest.first == 0x3A else { return false }
                portPart = rest.dropFirst()
            }
        } else {
            if let colon = a.firstIndex(of: 0x3A) {
                hostPart = a[..<colon]
                portPart = a[(colon + 1)...]
            }
            let labels = hostPart.split(separator: 0x2E, omittingEmptySubsequences: false)
            for label in labels where !RuleText.isHostLabel(label) { return false }
        }
        if let port = portPart {
            guard (1...5).contains(port.count), port.allSatisfy(RuleText.isASCIIDigit) else { return false }
            let value = port.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard (1...65535).contains(value) else { return false }
        }
        return !hostPart.isEmpty
    }

    /// Printable ASCII minus the characters RFC 3986 never allows unescaped; `%` must start an escape.
    private static func allowedCharacters(_ b: [UInt8]) -> Bool {
        var i = 0
        while i < b.count {
            let c = b[i]
            guard c > 0x20, c < 0x7F, !forbidden.contains(c) else { return false }
            if c == 0x25 { // "%"
                guard i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) else { return false }
                i += 2
            }
            i += 1
        }
        return true
    }

    private static let forbidden: Set<UInt8> = Set("\"<>\\^`{|}".utf8)

    private static func isHex(_ c: UInt8) -> Bool {
        RuleText.isASCIIDigit(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
    }

    private static func lowerASCII(_ c: UInt8) -> UInt8 { (0x41...0x5A).contains(c) ? c + 0x20 : c }
}
