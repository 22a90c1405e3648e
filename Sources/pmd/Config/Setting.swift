/// One configuration variable: the single description that parsing, the CLI flags,
/// `.env.example`, the README table and the redacted summary are all generated from.
struct Setting: Sendable {
    /// How much of a value may be shown in logs and error lines.
    enum Secrecy: Sendable, Equatable {
        /// The value may be shown.
        case none
        /// The value is a secret: only its presence (or length, in errors) is shown.
        case whole
        /// The value is a URL whose password is a secret; the rest may be shown.
        case urlPassword
    }

    /// Environment variable, e.g. `PMD_DATA_DIR`.
    let name: String
    /// The default as it would be written, nil when the variable is unset by default.
    let defaultText: String?
    /// One line for people: what the variable controls.
    let meaning: String
    let secrecy: Secrecy
    /// True for variables pmd adds beyond SPEC §3.
    let isExtension: Bool
    /// Parses a (non-empty) value into its field of `config`.
    let apply: @Sendable (_ text: String, _ config: inout Config) -> ParseFailure?
    /// The field's value as it would be written, nil when unset. Whole secrets are returned
    /// as they are, so callers that print must check ``secrecy``; URLs with passwords come
    /// back already redacted.
    let display: @Sendable (Config) -> String?

    /// The CLI flag of `pmd serve`: `PMD_` dropped, lowercased, `_` → `-`
    /// (`PMD_DATA_DIR` → `--data-dir`, `STRIPE_SECRET_KEY` → `--stripe-secret-key`).
    var flag: String {
        let bare = name.hasPrefix("PMD_") ? name.dropFirst(4) : Substring(name)
        return "--" + String(bare.lowercased().map { $0 == "_" ? "-" : $0 })
    }

    /// A variable with a default, stored at `field`.
    static func value<T>(
        _ name: String, default defaultText: String, _ meaning: String,
        secrecy: Secrecy = .none, extension isExtension: Bool = false,
        at field: WritableKeyPath<Config, T> & Sendable,
        parse: @escaping @Sendable (String) -> Result<T, ParseFailure>,
        format: @escaping @Sendable (T) -> String
    ) -> Setting {
        Setting(
            name: name, defaultText: defaultText, meaning: meaning, secrecy: secrecy,
            isExtension: isExtension,
            apply: { text, config in
                switch parse(text) {
                case .success(let value):
                    config[keyPath: field] = value
                    return nil
                case .failure(let failure): return failure
                }
            },
            display: { format($0[keyPath: field]) })
    }

    /// A variable that is unset by default, stored at an optional `field`.
    static func optional<T>(
        _ name: String, _ meaning: String,
        secrecy: Secrecy = .none, extension isExtension: Bool = false,
        at field: WritableKeyPath<Config, T?> & Sendable,
        parse: @escaping @Sendable (String) -> Result<T, ParseFailure>,
        format: @escaping @Sendable (T) -> String
    ) -> Setting {
        Setting(
            name: name, defaultText: nil, meaning: meaning, secrecy: secrecy,
            isExtension: isExtension,
            apply: { text, config in
                switch parse(text) {
                case .success(let value):
                    config[keyPath: field] = value
                    return nil
                case .failure(let failure): return failure
                }
            },
            display: { $0[keyPath: field].map(format) })
    }
}
