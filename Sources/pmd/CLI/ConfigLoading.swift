import ArgumentParser
import Foundation

/// Loads the configuration from the environment (and `pmd serve`'s flags); on any problem prints
/// one line per problem to stderr and exits with status 2 (SPEC §3).
func loadConfig(flags: [String] = []) throws -> Config {
    let overrides: [String: String]
    switch Config.overrides(fromFlags: flags) {
    case let .success(parsed): overrides = parsed
    case let .failure(errors): fail(errors)
    }
    switch Config.load(environment: ProcessInfo.processInfo.environment, overrides: overrides) {
    case let .success(config): return config
    case let .failure(errors): fail(errors)
    }
}

private func fail(_ errors: ConfigErrors) -> Never {
    for line in errors.lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    exit(ConfigErrors.exitStatus)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("pmd: " + message + "\n").utf8))
}
