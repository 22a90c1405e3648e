import Testing

@testable import pmd

@Suite struct TLSConfigTests {
    private func problems(_ environment: [String: String]) -> [String] {
        switch Config.load(environment: environment) {
        case .success: return []
        case .failure(let errors): return errors.lines
        }
    }

    @Test func tlsIsOffByDefault() throws {
        let config = try Config.load(environment: [:]).get()
        #expect(!config.tlsEnabled && config.tlsClientCA == nil && config.tlsCA == nil)
        #expect(try NodeTLS(config: config) == nil)
    }

    @Test func aCertificateAndItsKeyTurnTLSOn() throws {
        let files = try TLSFixtures()
        defer { files.remove() }
        let config = try Config.load(
            environment: ["PMD_TLS_CERT": files.cert, "PMD_TLS_KEY": files.key, "PMD_TLS_CLIENT_CA": files.cert]
        ).get()
        #expect(config.tlsEnabled && config.tlsClientCA == files.cert)
        let tls = try #require(try NodeTLS(config: config))
        #expect(tls.server.certificateVerification == .noHostnameVerification, "a client CA means mutual TLS")
    }

    @Test func theCertificateAndTheKeyGoTogether() throws {
        let files = try TLSFixtures()
        defer { files.remove() }
        #expect(problems(["PMD_TLS_CERT": files.cert]) == ["pmd: config: PMD_TLS_KEY: required when PMD_TLS_CERT is set"])
        #expect(problems(["PMD_TLS_KEY": files.key]) == ["pmd: config: PMD_TLS_CERT: required when PMD_TLS_KEY is set"])
        #expect(problems(["PMD_TLS_CLIENT_CA": files.cert]) == ["pmd: config: PMD_TLS_CLIENT_CA: needs PMD_TLS_CERT and PMD_TLS_KEY"])
        // Trusting a CA is also for pmd's clients (pmd call): harmless without a certificate.
        #expect(problems(["PMD_TLS_CA": files.cert]) == [])
    }

    @Test func filesAreReadAndParsedWhenTheConfigurationLoads() throws {
        let files = try TLSFixtures()
        defer { files.remove() }
        let missing = files.directory.appendingPathComponent("missing.pem").path
        #expect(
            problems(["PMD_TLS_CERT": files.cert, "PMD_TLS_KEY": missing])
                == [#"pmd: config: PMD_TLS_KEY: expected a PEM private key file, got "\#(missing)" (no such file)"#])
        #expect(
            problems(["PMD_TLS_CERT": files.garbage, "PMD_TLS_KEY": files.key])
                == [#"pmd: config: PMD_TLS_CERT: expected a PEM file of certificates, got "\#(files.garbage)" (no PEM certificate in it)"#])
        #expect(
            problems(["PMD_TLS_CERT": files.cert, "PMD_TLS_KEY": files.cert])
                == [#"pmd: config: PMD_TLS_KEY: expected a PEM private key file, got "\#(files.cert)" (no PEM private key in it)"#])
        #expect(
            problems(["PMD_TLS_CERT": files.cert, "PMD_TLS_KEY": files.key, "PMD_TLS_CA": files.directory.path])
                == [#"pmd: config: PMD_TLS_CA: expected a PEM file of certificates, got "\#(files.directory.path)" (it is a directory)"#])
    }

    @Test func aKeyOfAnotherCertificateIsRefused() throws {
        let files = try TLSFixtures()
        defer { files.remove() }
        #expect(
            problems(["PMD_TLS_CERT": files.cert, "PMD_TLS_KEY": files.otherKey])
                == ["pmd: config: PMD_TLS_KEY: does not match the certificate in PMD_TLS_CERT"])
    }
}
