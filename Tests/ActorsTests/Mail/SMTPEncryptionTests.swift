import Testing
@testable import Actors

@Suite("SMTP encryption rule")
struct SMTPEncryptionTests {
    @Test func smtpsIsTLSFromTheStartWhereverTheRelayIs() {
        #expect(SMTPEncryption.rule(implicitTLS: true, host: "mail.example.com", hasCredentials: true) == .implicitTLS)
        #expect(SMTPEncryption.rule(implicitTLS: true, host: "127.0.0.1", hasCredentials: false) == .implicitTLS)
    }

    @Test(arguments: ["mail.example.com", "10.0.0.5", "192.168.1.20", "2001:db8::25", "localhost.example.com", "128.0.0.1"])
    func aRemoteRelayMustOfferSTARTTLS(host: String) {
        #expect(SMTPEncryption.rule(implicitTLS: false, host: host, hasCredentials: false) == .requireSTARTTLS)
    }

    @Test(arguments: ["127.0.0.1", "localhost", "::1", "[::1]"])
    func credentialsRequireSTARTTLSEvenOnLoopback(host: String) {
        #expect(SMTPEncryption.rule(implicitTLS: false, host: host, hasCredentials: true) == .requireSTARTTLS)
    }

    @Test(arguments: ["127.0.0.1", "127.3.4.5", "LOCALHOST", "localhost.", "relay.localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
    func aLoopbackRelayWithoutCredentialsMayStayPlain(host: String) {
        #expect(SMTPEncryption.isLoopback(host))
        #expect(SMTPEncryption.rule(implicitTLS: false, host: host, hasCredentials: false) == .opportunistic)
    }

    @Test(arguments: ["", "127.0.0", "127.0.0.1.example.com", "::2", "::ffff:10.0.0.1", "0.0.0.0", "::"])
    func otherHostsAreNotLoopback(host: String) {
        #expect(!SMTPEncryption.isLoopback(host))
    }
}
