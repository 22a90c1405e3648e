import NIOSSL

extension Config {
    /// The TLS settings taken together: the certificate and its key go together, a client CA
    /// needs them (mutual TLS is TLS first), and the key must be the certificate's. That last one
    /// is found by building the node's TLS contexts, as start-up will: BoringSSL compares them.
    static func tlsProblems(_ config: Config, given: [String: String], rejected: Set<String>) -> [ConfigProblem] {
        let cert = given["PMD_TLS_CERT"] != nil
        let key = given["PMD_TLS_KEY"] != nil
        var problems: [ConfigProblem] = []
        if cert, !key {
            problems.append(ConfigProblem(subject: "PMD_TLS_KEY", message: "required when PMD_TLS_CERT is set"))
        } else if key, !cert {
            problems.append(ConfigProblem(subject: "PMD_TLS_CERT", message: "required when PMD_TLS_KEY is set"))
        } else if !cert, given["PMD_TLS_CLIENT_CA"] != nil {
            problems.append(ConfigProblem(subject: "PMD_TLS_CLIENT_CA", message: "needs PMD_TLS_CERT and PMD_TLS_KEY"))
        }
        let files: Set = ["PMD_TLS_CERT", "PMD_TLS_KEY", "PMD_TLS_CLIENT_CA", "PMD_TLS_CA"]
        guard cert, key, problems.isEmpty, rejected.isDisjoint(with: files) else { return problems }
        do {
            _ = try NodeTLS(config: config)
        } catch NIOSSLError.failedToLoadPrivateKey {
            problems.append(ConfigProblem(subject: "PMD_TLS_KEY", message: "does not match the certificate in PMD_TLS_CERT"))
        } catch {
            problems.append(ConfigProblem(subject: "PMD_TLS_KEY", message: "cannot be used with the certificate in PMD_TLS_CERT (\(error))"))
        }
        return problems
    }
}
