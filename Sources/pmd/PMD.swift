import ArgumentParser

@main
struct PMD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmd",
        abstract: "pmd — the account and billing core of PenguinMails.",
        discussion: "Configuration comes from environment variables (see .env.example); `pmd serve --help` lists them as flags.",
        version: Runtime.version,
        subcommands: [Serve.self, Call.self, CheckConfig.self, Plans.self, Backup.self, Wal.self, ClusterCommand.self, Mail.self],
        defaultSubcommand: Serve.self)
}
