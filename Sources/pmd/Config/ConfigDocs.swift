extension Config {
    /// The variables as a Markdown table (variable, flag, default, meaning), for the README.
    static func markdownTable() -> String {
        var lines = ["| variable | flag | default | meaning |", "|---|---|---|---|"]
        for setting in settings {
            let defaultText = setting.defaultText.map { "`\($0)`" } ?? "unset"
            let meaning = docMeaning(setting).replacingPipes()
            lines.append("| `\(setting.name)` | `\(setting.flag)` | \(defaultText) | \(meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The content of `.env.example`: every variable commented out with its default, its
    /// meaning and its flag.
    static func envExample() -> String {
        var text = """
            # pmd configuration. Generated from Sources/pmd/Config/Settings.swift; do not edit by hand
            # (regenerate: UPDATE_ENV_EXAMPLE=1 swift test --filter committedEnvExampleIsUpToDate).
            # Every variable is optional: each line below shows the default. Uncomment to change it.
            # Each variable has a flag of the same meaning on `pmd serve` (PMD_DATA_DIR → --data-dir).
            # Sizes: a byte count or B, KiB, MiB, GiB (8GiB). Durations: s, m, h, d (90s, 1h, 30d).
            # An empty value counts as unset.

            """
        for setting in settings {
            text += "\n# \(docMeaning(setting)) (\(setting.flag))\n"
            text += "# \(setting.name)=\(setting.defaultText.map(envQuoted) ?? "")\n"
        }
        return text
    }

    /// The flags of `pmd serve`, one per line, for its `--help`.
    static func flagHelp() -> String {
        let width = (settings.map { $0.flag.count }.max() ?? 0) + " <value>".count
        return settings.map { setting in
            let flag = "\(setting.flag) <value>".padding(toLength: width)
            let defaultText = setting.defaultText.map { "default \($0)" } ?? "unset by default"
            return "  \(flag)  \(docMeaning(setting)) (\(setting.name), \(defaultText))"
        }.joined(separator: "\n") + "\n"
    }

    private static func docMeaning(_ setting: Setting) -> String {
        var meaning = setting.meaning
        if setting.secrecy == .whole { meaning += "; secret" }
        if setting.isExtension { meaning += " (pmd extension)" }
        return meaning
    }

    /// Double-quotes values with spaces or shell metacharacters, the form dotenv, systemd
    /// and `docker compose` all read (`PenguinMails <no-reply@localhost>` would be a shell
    /// redirection unquoted).
    private static func envQuoted(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "./:_-@+,".unicodeScalars.contains($0)
        }
        return plain ? value : "\"\(value)\""
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }

    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
