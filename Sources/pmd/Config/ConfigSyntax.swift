/// Small lexical checks shared by the value parsers.
enum ConfigSyntax {
    /// One or more of `0`–`9`. `Character.isNumber` is not used because it also accepts
    /// other scripts' digits and fractions, and `Int("+5")` accepts a sign.
    static func isDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    /// True when the text holds a space, tab, newline or other whitespace — in an id or a key
    /// that is almost always a copy-paste accident (a trailing newline from a secrets file).
    static func hasWhitespace<S: StringProtocol>(_ text: S) -> Bool {
        text.unicodeScalars.contains { $0.properties.isWhitespace }
    }

    /// Levenshtein distance, used to suggest the variable or flag a typo meant.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate closest to `name`, if it is close enough to be a plausible typo
    /// (at most a third of the name's length, capped at 3 edits); ties go to the earlier
    /// candidate so that the suggestion is stable.
    static func suggestion(for name: String, among candidates: [String]) -> String? {
        let limit = min(3, max(1, name.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(name, candidate)
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Parses one of an enum's raw values, exactly (case-sensitive like every other value).
    static func choice<Choice: RawRepresentable & CaseIterable>(
        _ text: String, as type: Choice.Type
    ) -> Result<Choice, ParseFailure> where Choice.RawValue == String {
        if let choice = Choice(rawValue: text) { return .success(choice) }
        let names = Choice.allCases.map(\.rawValue)
        let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return .failure(ParseFailure(expected: "one of \(list)"))
    }

    /// Quotes a value for an error line. Control characters and line separators are escaped so
    /// that a stray newline in an env file cannot split one problem over two lines, and long
    /// values are cut because the start of a value is what identifies it.
    static func quoted(_ value: String) -> String {
        let limit = 120
        var body = ""
        for scalar in value.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\"": body += "\\\""
            case "\\": body += "\\\\"
            case "\n": body += "\\n"
            case "\r": body += "\\r"
            case "\t": body += "\\t"
            default:
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator:
                    body += "\\u{\(String(scalar.value, radix: 16))}"
                default:
                    body.unicodeScalars.append(scalar)
                }
            }
        }
        let cut = value.unicodeScalars.count > limit ? "…" : ""
        return "\"\(body)\(cut)\""
    }
}
