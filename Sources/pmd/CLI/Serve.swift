import ArgumentParser
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run pmd (the default command).",
        discussion: "Every environment variable has a flag of the same meaning:\n\n" + Config.flagHelp())

    @Argument(parsing: .allUnrecognized, help: "Configuration flags, e.g. --data-dir ./pmd-data --rpc-addr 127.0.0.1:7420")
    var flags: [String] = []

    func run() async throws {
        let config = try loadConfig(flags: flags)
        LogSetup.bootstrap(level: Logger.Level(rawValue: config.logLevel.rawValue) ?? .info, json: config.logFormat == .json)
        let logger = Logger(label: "pmd")
        for entry in config.redactedSummary {
            logger.debug("config", metadata: [entry.name: "\(entry.value)"])
        }
        do {
            try await Daemon(config: config, logger: logger).run()
        } catch {
            logger.critical("pmd stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}
