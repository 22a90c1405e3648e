extension Config {
    /// Reads the configuration flags of `pmd serve` (`--data-dir DIR` or `--data-dir=DIR`,
    /// one per variable, see ``Setting/flag``) into overrides for
    /// ``load(environment:overrides:)``. A flag given twice keeps its last value.
    ///
    /// Argument parsers want every option declared statically; `pmd serve` can instead
    /// capture its remaining arguments and hand them here, so the flags stay generated from
    /// ``settings``. Secrets given as flags are visible in the process list; the environment
    /// is the better place for them.
    static func overrides(fromFlags arguments: [String]) -> Result<[String: String], ConfigErrors> {
        let byFlag = Dictionary(uniqueKeysWithValues: settings.map { ($0.flag, $0) })
        var overrides: [String: String] = [:]
        var problems: [ConfigProblem] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                problems.append(ConfigProblem(subject: argument, message: "unexpected argument"))
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let flag = String(parts[0])
            guard let setting = byFlag[flag] else {
                let suggestion = ConfigSyntax.suggestion(for: flag, among: settings.map(\.flag))
                problems.append(.unknown(flag, kind: "flag", suggestion: suggestion))
                continue
            }
            if parts.count == 2 {
                overrides[setting.name] = String(parts[1])
            } else if index < arguments.endIndex, !arguments[index].hasPrefix("--") {
                overrides[setting.name] = arguments[index]
                index += 1
            } else {
                problems.append(ConfigProblem(subject: flag, message: "expected a value"))
            }
        }
        return problems.isEmpty ? .success(overrides) : .failure(ConfigErrors(problems: problems))
    }
}
