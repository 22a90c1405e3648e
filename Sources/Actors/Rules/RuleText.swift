/// Small text helpers shared by the rules. A namespace rather than `String` extensions so they
/// cannot collide with helpers other files of the `Actors` module may define.
enum RuleText {
    /// Removes leading and trailing whitespace and newlines (Unicode `White_Space`, judged per
    /// Character). Done by hand to keep the rules free of Foundation.
    static func trim(_ s: String) -> String {
        // Most values start and end with a visible ASCII character and are returned as they are.
        // That decides it: such a first byte is the first scalar of the first Character (whose
        // whitespace-ness is its first scalar's), and a Character ending in one starts with a
        // scalar that is not whitespace either (nothing but Prepend characters join before it).
        if let head = s.utf8.first, let tail = s.utf8.last, isVisibleASCII(head), isVisibleASCII(tail) { return s }
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return String(s[first...last])
    }

    /// Validates a name field (a user's, a tenant's, a company's): trimmed, 1...`max` long, and
    /// free of control characters and line breaks.
    ///
    /// Lengths count Characters (what a person sees as one letter), so "José" is 4 whether the
    /// é arrives precomposed or decomposed, and non-Latin scripts are not penalised as they
    /// would be by a UTF-8 byte count.
    /// - Parameters:
    ///   - label: the field's human name at the start of a message ("Name", "Tenant name").
    /// - Returns: the trimmed value.
    static func name(_ raw: String, label: String, max: Int) throws(RuleViolation) -> String {
        let value = trim(raw)
        if value.isEmpty { throw RuleViolation("\(label) must not be empty") }
        // A Character is at least one byte, so only values longer than `max` bytes need counting.
        if value.utf8.count > max, value.count > max { throw RuleViolation("\(label) must be at most \(max) characters") }
        if value.unicodeScalars.contains(where: isForbiddenInName) {
            throw RuleViolation("\(label) must not contain control characters or line breaks")
        }
        return value
    }

    /// Names end up in mail bodies and headers and in every client's UI, where a line break
    /// starts a new line or header and a control character does something other than show a
    /// letter: the C0 controls (CR, LF, NUL, tab, ESC…), DEL, the C1 controls (which include
    /// NEL, a line break to some programs) and the Unicode line and paragraph separators.
    /// Nobody's name holds one; trimming has already removed them at the ends.
    static func isForbiddenInName(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// `!` through `~`: printable ASCII other than the space.
    static func isVisibleASCII(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }

    /// True for bytes below 0x20 and DEL: never acceptable inside identifiers, addresses or URLs.
    static func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }

    static func isASCIILetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    static func isASCIIDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isASCIIAlnum(_ b: UInt8) -> Bool { isASCIILetter(b) || isASCIIDigit(b) }

    /// One DNS label: 1...63 ASCII letters/digits/hyphens, not starting or ending with a hyphen.
    static func isHostLabel<C: BidirectionalCollection<UInt8>>(_ label: C) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
        guard first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
        return label.allSatisfy { isASCIIAlnum($0) || $0 == UInt8(ascii: "-") }
    }
}
