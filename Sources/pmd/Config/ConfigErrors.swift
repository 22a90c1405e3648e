/// One problem with the configuration, rendered as exactly one line.
struct ConfigProblem: Sendable, Equatable {
    /// The variable (`PMD_RPC_ADDR`) or CLI flag (`--rpc-addr`) the problem is about.
    let subject: String
    /// What went wrong; already redacted, safe to print.
    let message: String

    /// `pmd: config: PMD_RPC_ADDR: expected host:port, got "x"`.
    var line: String { "pmd: config: \(subject): \(message)" }

    /// A value that failed to parse: what was expected, then the value — or only its length
    /// when the setting is secret, because start-up errors end up in logs and CI output.
    static func invalid(
        _ subject: String, value: String, secrecy: Setting.Secrecy, failure: ParseFailure
    ) -> ConfigProblem {
        let got: String
        switch secrecy {
        case .none: got = ConfigSyntax.quoted(value)
        case .whole: got = "a value of \(value.count) characters"
        case .urlPassword: got = ConfigSyntax.quoted(SMTPURL.redacting(value))
        }
        var message = "expected \(failure.expected), got \(got)"
        if let note = failure.note { message += " (\(note))" }
        return ConfigProblem(subject: subject, message: message)
    }

    /// An environment variable or flag pmd does not know, with the nearest known name.
    static func unknown(_ subject: String, kind: String, suggestion: String?) -> ConfigProblem {
        let hint = suggestion.map { " (did you mean \($0)?)" } ?? ""
        return ConfigProblem(subject: subject, message: "unknown \(kind)\(hint)")
    }
}

/// Every problem found in one configuration, in a stable order: settings in table order,
/// then unknown variables by name. `pmd serve` and `pmd check-config` print ``lines`` to
/// standard error and exit with ``exitStatus``.
struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// SPEC §3: invalid configuration stops start-up with exit status 2.
    static let exitStatus: Int32 = 2

    /// Never empty.
    let problems: [ConfigProblem]

    /// One line per problem.
    var lines: [String] { problems.map(\.line) }

    var description: String { lines.joined(separator: "\n") }
}
