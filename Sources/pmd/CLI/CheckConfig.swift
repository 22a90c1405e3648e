import ArgumentParser

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print it (secrets redacted); exit 2 on problems.")

    @Argument(parsing: .allUnrecognized, help: "The same flags as `pmd serve`")
    var flags: [String] = []

    func run() async throws {
        let config = try loadConfig(flags: flags)
        for entry in config.redactedSummary {
            print("\(entry.name)=\(entry.value)")
        }
        print("pmd: config: ok")
    }
}
