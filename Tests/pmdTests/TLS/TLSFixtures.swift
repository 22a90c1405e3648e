import Foundation

/// PEM files for the TLS tests, written to a directory of their own. The certificate is
/// self-signed for 127.0.0.1 (valid until 2126) and `otherKey` belongs to no certificate; both
/// keys were made for these tests and protect nothing.
struct TLSFixtures {
    let directory: URL
    let cert: String
    let key: String
    let otherKey: String
    let garbage: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmd-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let directory = directory
        func write(_ name: String, _ text: String) throws -> String {
            let file = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: file)
            return file.path
        }
        cert = try write("cert.pem", Self.certificate)
        key = try write("key.pem", Self.privateKey)
        otherKey = try write("other.pem", Self.unrelatedKey)
        garbage = try write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmDCCAT6gAwIBAgIUCPObrgkZ4/g11cJ8LzCYzIlSGA4wCgYIKoZIzj0EAwIw
        GDEWMBQGA1UEAwwNcG1kIHVuaXQgdGVzdDAgFw0yNjEyMDgwMTU1MzJaGA8yMTI2
        MTExNDAxNTUzMlowGDEWMBQGA1UEAwwNcG1kIHVuaXQgdGVzdDBZMBMGByqGSM49
        AgEGCCqGSM49AwEHA0IABJ5Qg81Uiak3Yx43+harLoFyk6AhWctMcq0eUnct/jXc
        YHoG9iGB9j2s/JLg8rOfzfv3H7pEr7zceRdUdP3RPd+jZDBiMB0GA1UdDgQWBBQp
        TOOeTDEqJIpn9fsS0DYXDczRcTAfBgNVHSMEGDAWgBQpTOOeTDEqJIpn9fsS0DYX
        DczRcTAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwCgYIKoZIzj0E
        AwIDSAAwRQIgannPEOV8BG+chChaxzWLYYEU+WGr80QSxu+vkZhpW38CIQDlsOaW
        GR0Bc72n6WvxEEPWRt8PbD3ponR/WVM5vuB3HA==
        -----END CERTIFICATE-----

        """

    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtqifqgP6+d5x8I8H
        wmdr2jg7t2avxGMv/VCPNC7YqCahRANCAASeUIPNVImpN2MeN/oWqy6BcpOgIVnL
        THKtHlJ3Lf413GB6BvYhgfY9rPyS4PKzn8379x+6RK+83HkXVHT90T3f
        -----END PRIVATE KEY-----

        """

    static let unrelatedKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0fhsWqap9hsrRLwT
        W2K5WdyVLD0zbvcy1JmtYIMP96GhRANCAARtYXHItO+X1wuP4ofTe3vDsZWecMC/
        NzuZ/lvwEIbjLs52tkUR1Ns6QSPCsxXIxVtx2t7Pot1XKKo7ULQH/iD8
        -----END PRIVATE KEY-----

        """
}
