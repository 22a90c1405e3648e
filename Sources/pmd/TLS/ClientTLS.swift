import NIOCore
import NIOSSL

/// The TLS of pmd's own connections to a pmd: `pmd call` (and `pmd mail`, `pmd cluster status`),
/// and one cluster node to another.
///
/// Certificates are verified in full, host name included: a host name is sent as SNI and must be
/// one of the certificate's DNS names; an IP address (nodes advertise `127.0.0.1:7420`-style
/// addresses) cannot be sent as SNI, so the certificate must carry it as an IP address SAN, which
/// NIOSSL matches against the connected socket's address. Dropping the name check would let any
/// certificate the trusted CAs ever signed — with the system's roots, any public one — speak for
/// any node.
struct ClientTLS: Sendable {
    let context: NIOSSLContext

    /// - Parameters:
    ///   - roots: the CAs to trust; nil = the system's roots.
    ///   - identity: a certificate chain and its key to present, for servers that require one
    ///     (mutual TLS).
    init(roots: [NIOSSLCertificate]?, identity: (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey)?) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let roots { configuration.trustRoots = .certificates(roots) }
        if let identity {
            configuration.certificateChain = identity.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(identity.key)
        }
        context = try NIOSSLContext(configuration: configuration)
    }

    /// The handler that goes first in a connection to `host`.
    func handler(for host: String) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: Self.isIPAddress(host) ? nil : host)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
