import Foundation
import NIOSSL

/// The PEM files of `PMD_TLS_*` (and of `pmd call --tls-…`), read and parsed whole. The
/// configuration checks them when it is loaded, so that a wrong path or a file that is not PEM
/// stops start-up (and `pmd check-config`) with one line instead of failing every handshake later.
enum PEMFiles {
    /// One or more certificates (a chain, or a bundle of CAs).
    static func certificates(at path: String) -> Result<[NIOSSLCertificate], ParseFailure> {
        let expected = "a PEM file of certificates"
        switch contents(of: path, expected: expected) {
        case let .failure(failure): return .failure(failure)
        case let .success(bytes):
            guard let certificates = try? NIOSSLCertificate.fromPEMBytes(bytes), !certificates.isEmpty else {
                return .failure(ParseFailure(expected: expected, note: "no PEM certificate in it"))
            }
            return .success(certificates)
        }
    }

    /// An unencrypted private key. pmd takes no passphrase: a daemon that asks for one cannot
    /// restart by itself, and BoringSSL's default would prompt on the terminal.
    static func privateKey(at path: String) -> Result<NIOSSLPrivateKey, ParseFailure> {
        let expected = "a PEM private key file"
        switch contents(of: path, expected: expected) {
        case let .failure(failure): return .failure(failure)
        case let .success(bytes):
            let noPassphrase: NIOSSLPassphraseCallback<[UInt8]> = { _ in }
            if let key = try? NIOSSLPrivateKey(bytes: bytes, format: .pem, passphraseCallback: noPassphrase) {
                return .success(key)
            }
            let encrypted = String(decoding: bytes, as: UTF8.self).contains("ENCRYPTED")
            return .failure(ParseFailure(expected: expected, note: encrypted ? "it is encrypted; pmd takes no passphrase" : "no PEM private key in it"))
        }
    }

    /// The parsers of the settings table: the path, once its file parses.
    static func certificateFile(_ path: String) -> Result<String, ParseFailure> { certificates(at: path).map { _ in path } }
    static func privateKeyFile(_ path: String) -> Result<String, ParseFailure> { privateKey(at: path).map { _ in path } }

    private static func contents(of path: String, expected: String) -> Result<[UInt8], ParseFailure> {
        if case let .failure(failure) = ValueParsers.readableFile(path) {
            return .failure(ParseFailure(expected: expected, note: failure.note))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ParseFailure(expected: expected, note: "cannot be read"))
        }
        return .success(Array(data))
    }
}
