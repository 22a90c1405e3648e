import ArgumentParser

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration and print it (secrets redacted); exit 2 on problems.")

    @Flag(help: "Print the table of every variable (Markdown) instead, as in the README")
    var markdown = false

    @Argument(parsing: .allUnrecognized, help: "The same flags as `pmd serve`")
    var flags: [String] = []

    func run() async throws {
        if markdown {
            print(Config.markdownTable())
            return
        }
        let config = try loadConfig(flags: flags)
        for entry in config.redactedSummary {
            print("\(entry.name)=\(entry.value)")
        }
        print("pmd: config: ok")
    }
}
