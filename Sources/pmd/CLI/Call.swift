import ArgumentParser
import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import Protocol

/// `pmd call METHOD [JSON]`: the redis-cli of pmd. One request to a running pmd over the same
/// TCP protocol as any client; the response pretty-printed; exit status 1 on an error response.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one JSON-RPC request to a running pmd and print the response.",
        discussion: "Uses PMD_RPC_ADDR (default 127.0.0.1:7420) and authenticates with PMD_RPC_KEY when it is set.\n"
            + "A pmd with PMD_TLS_CERT speaks TLS only: add --tls (and --tls-ca for a private CA, or set PMD_TLS_CA).\n"
            + "Example: pmd call auth.login '{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}'")

    @Argument(help: "Method name, e.g. system.health")
    var method: String

    @Argument(help: "Params as a JSON object (default {})")
    var params: String?

    @Option(help: "host:port of pmd's JSON-RPC listener (default: PMD_RPC_ADDR or 127.0.0.1:7420)")
    var addr: String?

    @Option(help: "Seconds to wait for the response")
    var timeout = 30

    @OptionGroup var tlsOptions: ClientTLSOptions

    func run() async throws {
        var paramsValue: JSON = [:]
        if let params {
            do {
                paramsValue = try JSON.parse(params)
            } catch {
                printError("call: params are not valid JSON: \(error)")
                throw ExitCode(2)
            }
        }
        let tls = try tlsOptions.clientTLS(command: "call")
        var response = try await Self.request(method, paramsValue, addr: addr, tls: tls, timeout: .seconds(timeout), command: "call")
        // Cluster mode (SPEC §10): a node that is not the primary names it; follow once.
        if response["error"]?["code"]?.intValue == 421, let primary = response["error"]?["data"]?["primary"]?.stringValue {
            printError("call: \(addr ?? "this node") is not the primary; asking \(primary)")
            response = try await Self.request(method, paramsValue, addr: primary, tls: tls, timeout: .seconds(timeout), command: "call")
        }
        print(response.prettyString())
        if response["error"] != nil { throw ExitCode(1) }
    }

    /// One request to a running pmd (`--addr`, else PMD_RPC_ADDR, else the default), after
    /// `rpc.auth` when PMD_RPC_KEY is set, over TLS when `tls` is given; the response (or
    /// `rpc.auth`'s error). Exit status 2 for a bad address, 1 when pmd cannot be reached.
    static func request(
        _ method: String, _ params: JSON, addr: String?, tls: ClientTLS?, timeout: Duration, command: String
    ) async throws -> JSON {
        let environment = ProcessInfo.processInfo.environment
        let addressText = addr ?? environment["PMD_RPC_ADDR"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:7420"
        guard case let .success(address) = HostPort.parse(addressText), address.port != 0 else {
            printError("\(command): expected host:port, got \"\(addressText)\"")
            throw ExitCode(2)
        }
        var lines: [JSON] = []
        if let key = environment["PMD_RPC_KEY"], !key.isEmpty {
            lines.append(["jsonrpc": "2.0", "id": 0, "method": "rpc.auth", "params": ["key": .string(key)]])
        }
        lines.append(["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": params])

        let responses: [JSON]
        do {
            responses = try await exchange(lines, host: address.host, port: address.port, tls: tls, timeout: timeout)
        } catch {
            printError("\(command): \(addressText): \(TLSFailure.explain(error, overTLS: tls != nil) ?? "\(error)")")
            throw ExitCode(1)
        }
        // The exchange stops at the first error, so the last response is the one that matters.
        guard let response = responses.last else {
            // A pmd with TLS closes a connection whose first bytes are not a TLS handshake.
            let hint = tls == nil ? " (if it has PMD_TLS_CERT, it speaks TLS only: add --tls)" : ""
            printError("\(command): \(addressText): the connection closed without an answer\(hint)")
            throw ExitCode(1)
        }
        return response
    }

    /// Sends the lines and reads one response line per request.
    static func exchange(_ lines: [JSON], host: String, port: Int, tls: ClientTLS?, timeout: Duration) async throws -> [JSON] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try tls.handler(for: host)) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await withThrowingTaskGroup(of: [JSON].self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var out: [UInt8] = []
                    for line in lines {
                        line.write(into: &out)
                        out.append(UInt8(ascii: "\n"))
                    }
                    try await outbound.write(ByteBuffer(bytes: out))
                    var responses: [JSON] = []
                    for try await line in inbound {
                        responses.append(try JSON.parse(Array(line.readableBytesView)))
                        if responses.count == lines.count || responses.last?["error"] != nil && responses.count < lines.count { break }
                    }
                    return responses
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw CallTimeout()
            }
            let result = try await group.next()!
            group.cancelAll()
            return result
        }
    }

    struct CallTimeout: Error, CustomStringConvertible {
        var description: String { "no response in time" }
    }
}
