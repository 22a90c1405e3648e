import ArgumentParser
import Protocol

/// `pmd mail list|retry ID|drop ID`: the outbox of a running pmd, over JSON-RPC like `pmd call`
/// (`mail.list`, `mail.retry`, `mail.drop`).
struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and operate the mail outbox of a running pmd (undelivered mail and dead letters).",
        discussion: "Uses PMD_RPC_ADDR (default 127.0.0.1:7420) and PMD_RPC_KEY like pmd call. "
            + "A dead letter is a mail the relay refused for good; fix the cause (the address, the relay), then retry it.",
        subcommands: [List.self, Retry.self, Drop.self])

    struct Connection: ParsableArguments {
        @Option(help: "host:port of pmd's JSON-RPC listener (default: PMD_RPC_ADDR or 127.0.0.1:7420)")
        var addr: String?

        @OptionGroup var tls: ClientTLSOptions

        /// The result, or exit status 1 with the error's message.
        func call(_ method: String, _ params: JSON, command: String) async throws -> JSON {
            let response = try await Call.request(
                method, params, addr: addr, tls: try tls.clientTLS(command: command), timeout: .seconds(30), command: command)
            if let error = response["error"] {
                printError("\(command): \(error["message"]?.stringValue ?? error.compactString)")
                throw ExitCode(1)
            }
            return response["result"] ?? .null
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List undelivered mail and dead letters, oldest first.")

        @OptionGroup var connection: Connection

        @Option(help: "queued or dead (default: both)")
        var state: String?

        @Option(help: "At most this many (1 to 1000)")
        var limit = 100

        @Flag(help: "Print mail.list's JSON result")
        var json = false

        func run() async throws {
            var params: JSONObject = ["limit": JSON(limit)]
            if let state { params["state"] = .string(state) }
            let result = try await connection.call("mail.list", .object(params), command: "mail list")
            if json {
                print(result.prettyString())
                return
            }
            let mail = result["mail"]?.arrayValue ?? []
            print("\(result["queued"]?.intValue ?? 0) queued, \(result["dead"]?.intValue ?? 0) dead")
            for item in mail {
                let fields = ["id", "state", "attempts", "kind", "to", "createdAt"].map { key in
                    item[key].map { $0.stringValue ?? $0.compactString } ?? "-"
                }
                var line = fields.joined(separator: "  ")
                if let error = item["lastError"]?.stringValue { line += "  " + error }
                print(line)
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a dead letter again (a new series of attempts), or try a queued mail now.")

        @OptionGroup var connection: Connection

        @Argument(help: "Mail id, from pmd mail list")
        var id: String

        func run() async throws {
            _ = try await connection.call("mail.retry", ["id": .string(id)], command: "mail retry")
            print("mail \(id) queued")
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a mail from the outbox for good (its reset or invitation stays pending).")

        @OptionGroup var connection: Connection

        @Argument(help: "Mail id, from pmd mail list")
        var id: String

        func run() async throws {
            _ = try await connection.call("mail.drop", ["id": .string(id)], command: "mail drop")
            print("mail \(id) dropped")
        }
    }
}
