import NIOCore
import NIOSSL

/// A node's TLS, from `PMD_TLS_CERT`, `PMD_TLS_KEY`, `PMD_TLS_CLIENT_CA` and `PMD_TLS_CA`: what
/// both listeners present and require, and how the node connects to the others.
struct NodeTLS: Sendable {
    /// For the HTTP listener (Hummingbird builds its own context from it).
    let server: TLSConfiguration
    /// For the JSON-RPC listener: one context shared by every connection.
    let serverContext: NIOSSLContext
    /// For this node's connections to the other nodes (replication, snapshots, health probes),
    /// which arrive at their listeners like any client: it presents this node's certificate, so
    /// mutual TLS between nodes needs no certificate of its own, and trusts `PMD_TLS_CA`, else
    /// `PMD_TLS_CLIENT_CA` (with mutual TLS the cluster's CA signs the nodes' certificates as well
    /// as its clients'), else the system's roots.
    let peer: ClientTLS

    /// nil when TLS is off (no `PMD_TLS_CERT`); the configuration has checked that the files
    /// parse, and this is where a key that does not belong to the certificate is found.
    init?(config: Config) throws {
        guard let certFile = config.tlsCert, let keyFile = config.tlsKey else { return nil }
        let chain = try PEMFiles.certificates(at: certFile).get()
        let key = try PEMFiles.privateKey(at: keyFile).get()
        let clientCA = try config.tlsClientCA.map { try PEMFiles.certificates(at: $0).get() }
        var server = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        server.minimumTLSVersion = .tlsv12
        // pmd closes a connection once it is done with it (idle, drained, the client's input
        // ended); NIOSSL then waits for the client's close_notify, which most clients never send.
        // Its default 5 s would hold each such connection, and its slot under
        // PMD_MAX_CONNECTIONS, open for nothing but a last flush of what pmd already wrote.
        server.shutdownTimeout = .seconds(1)
        if let clientCA {
            // A server cannot check a client's name, only who signed its certificate.
            server.certificateVerification = .noHostnameVerification
            server.trustRoots = .certificates(clientCA)
            // Tells clients which CA to pick a certificate for.
            server.sendCANameList = true
        }
        self.server = server
        serverContext = try NIOSSLContext(configuration: server)
        let peerRoots = try config.tlsCA.map { try PEMFiles.certificates(at: $0).get() } ?? clientCA
        peer = try ClientTLS(roots: peerRoots, identity: (chain, key))
    }

    /// The JSON-RPC listener's first handlers: TLS, then `RaggedEOF` so a client that half-closes
    /// without close_notify still gets its answers, as over plain TCP.
    @Sendable func addServerHandlers(to channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
        try channel.pipeline.syncOperations.addHandler(RaggedEOF())
    }
}
