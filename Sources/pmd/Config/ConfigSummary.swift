/// One line of the configuration summary: a variable and its effective value, safe to log.
struct ConfigSummaryEntry: Sendable, Equatable {
    let name: String
    let value: String
}

extension Config {
    /// Every variable with its effective value, for the startup log and `pmd check-config`.
    /// Secrets show only whether they are set; an SMTP URL shows everything but its password.
    var redactedSummary: [ConfigSummaryEntry] {
        Self.settings.map { setting in
            let value: String
            switch (setting.display(self), setting.secrecy) {
            case (nil, _): value = "unset"
            case (.some, .whole): value = "<redacted>"
            case (.some(let shown), _): value = shown
            }
            return ConfigSummaryEntry(name: setting.name, value: value)
        }
    }
}
