import Foundation

/// The sender of pmd's mail (`PMD_MAIL_FROM`): `PenguinMails <no-reply@localhost>` or a bare
/// `no-reply@example.com`.
struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    /// Display name, unquoted; nil for a bare address.
    var name: String?
    /// `local@domain`.
    var address: String

    /// The `From:` header value. The name is quoted when it holds characters that are
    /// special in RFC 5322; a non-ASCII name still needs RFC 2047 encoding by the mailer.
    var description: String {
        guard let name else { return address }
        // Scalars, not Characters: a quote followed by a combining mark is one Character.
        let specials = Set("()<>[]:;@\\,.\"".unicodeScalars)
        guard name.unicodeScalars.contains(where: specials.contains) else { return "\(name) <\(address)>" }
        let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\" <\(address)>"
    }

    static let syntax = "Display Name <address@host> or address@host"

    /// Parses `Name <addr>`, `"Name" <addr>` or `addr`. Control characters are rejected
    /// anywhere: a CR or LF in a header value would let configuration inject headers.
    static func parse(_ text: String) -> Result<MailAddress, ParseFailure> {
        let failure = ParseFailure(expected: syntax)
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return .failure(failure) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)

        guard trimmed.hasSuffix(">") else {
            return isAddress(trimmed) ? .success(MailAddress(name: nil, address: trimmed)) : .failure(failure)
        }
        guard let open = trimmed.lastIndex(of: "<") else { return .failure(failure) }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        let scalars = name.unicodeScalars
        if scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" {
            // Spaces inside the quotes are trimmed too: no client shows them, and `description`,
            // which leaves a name without specials unquoted, would lose them.
            name = String(String.UnicodeScalarView(scalars.dropFirst().dropLast()))
                .replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
                .trimmingCharacters(in: .whitespaces)
        }
        guard isAddress(address), !name.contains("<"), !name.contains(">") else { return .failure(failure) }
        return .success(MailAddress(name: name.isEmpty ? nil : name, address: address))
    }

    /// A practical check, not RFC 5321 in full: one `@`, non-empty local part and domain,
    /// no whitespace or characters that would break the header. `localhost` is a valid
    /// domain because it is the default.
    private static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !ConfigSyntax.hasWhitespace(text)
            && !text.contains(where: { "<>()[],;:\"\\".contains($0) })
    }
}
