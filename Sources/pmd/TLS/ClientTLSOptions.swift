import ArgumentParser
import Foundation
import NIOSSL

/// `--tls`, `--tls-ca`, `--tls-cert`, `--tls-key` of the commands that talk to a running pmd.
/// `PMD_TLS_CA` stands for `--tls-ca` (the variable a node's own connections trust too).
struct ClientTLSOptions: ParsableArguments {
    @Flag(name: .customLong("tls"), help: "Connect with TLS (implied by --tls-ca and PMD_TLS_CA)")
    var enabled = false

    @Option(name: .customLong("tls-ca"), help: "PEM file of the CA(s) to trust instead of the system's (default: PMD_TLS_CA)")
    var caFile: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate (chain) to present, for a pmd that requires one (PMD_TLS_CLIENT_CA)")
    var certFile: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert")
    var keyFile: String?

    /// Whether any TLS option (or `PMD_TLS_CA`) was given.
    var requested: Bool { enabled || caFile != nil || certFile != nil || keyFile != nil || environmentCA != nil }

    private var environmentCA: String? { ProcessInfo.processInfo.environment["PMD_TLS_CA"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The client side of TLS, nil when none was asked for; a bad file is exit status 2 with one
    /// line, like a bad address.
    func clientTLS(command: String) throws -> ClientTLS? {
        guard requested else { return nil }
        guard (certFile == nil) == (keyFile == nil) else {
            printError("\(command): --tls-cert and --tls-key go together")
            throw ExitCode(2)
        }
        do {
            let roots = try (caFile ?? environmentCA).map { try load(PEMFiles.certificates(at: $0), $0) }
            var identity: (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)?
            if let certFile, let keyFile {
                identity = (try load(PEMFiles.certificates(at: certFile), certFile), try load(PEMFiles.privateKey(at: keyFile), keyFile))
            }
            return try ClientTLS(roots: roots, identity: identity)
        } catch let failure as FileFailure {
            printError("\(command): \(failure.path): expected \(failure.failure.expected)\(failure.failure.note.map { " (\($0))" } ?? "")")
            throw ExitCode(2)
        } catch {
            printError("\(command): TLS: \(error)")
            throw ExitCode(2)
        }
    }

    private struct FileFailure: Error {
        let path: String
        let failure: ParseFailure
    }

    private func load<T>(_ result: Result<T, ParseFailure>, _ path: String) throws -> T {
        try result.mapError { FileFailure(path: path, failure: $0) }.get()
    }
}
