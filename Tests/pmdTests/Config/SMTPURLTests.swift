import Actors
import Testing

@testable import pmd

@Suite struct SMTPURLTests {
    @Test func plainRelayWithoutCredentials() throws {
        let url = try SMTPURL.parse("smtp://127.0.0.1:2525").get()
        #expect(url == SMTPURL(implicitTLS: false, host: "127.0.0.1", port: 2525, user: nil, password: nil, path: ""))
        #expect(url.urlWithoutCredentials == "smtp://127.0.0.1:2525")
        #expect(url.description == "smtp://127.0.0.1:2525")
    }

    @Test func credentialsAreSplitOffAndPercentDecoded() throws {
        let url = try SMTPURL.parse("smtps://me%40example.com:p%40ss:word@mail.example.com:465").get()
        #expect(url.implicitTLS)
        #expect(url.user == "me@example.com")
        #expect(url.password == "p@ss:word")
        #expect(url.urlWithoutCredentials == "smtps://mail.example.com:465")
        #expect(url.description == "smtps://me@example.com:***@mail.example.com:465")
    }

    @Test func portIsOptionalAndPathIsKept() throws {
        let url = try SMTPURL.parse("SMTP://[::1]/client.example").get()
        #expect(url.port == nil)
        #expect(url.defaultPort == 25)
        #expect(url.urlWithoutCredentials == "smtp://[::1]/client.example")
    }

    @Test(arguments: [
        "http://host", "smtp://", "smtp://:25", "host:25", "smtp://host:0", "smtp://host:99999",
        "smtp://host?x=1", "smtp://:pass@host",
    ])
    func rejectsOtherShapes(text: String) {
        #expect(throws: ParseFailure.self) { try SMTPURL.parse(text).get() }
    }

    @Test func redactsPasswordsEvenInUnparsableText() {
        #expect(SMTPURL.redacting("smtps://user:hunter2@host:465") == "smtps://user:***@host:465")
        #expect(SMTPURL.redacting("smtps://user:hun@ter2@host:99999") == "smtps://user:***@host:99999")
        #expect(SMTPURL.redacting("ftp:user:hunter2@host") == "ftp:***@host")
        #expect(SMTPURL.redacting("smtp://host:25") == "smtp://host:25")
    }
}

@Suite struct SMTPURLRelayTests {
    @Test func theRelayDemandsSTARTTLSWhenCredentialsOrARemoteHostAreConfigured() throws {
        #expect(try SMTPURL.parse("smtp://127.0.0.1:2525").get().relay.encryption == .opportunistic)
        #expect(try SMTPURL.parse("smtp://user:pass@127.0.0.1:2525").get().relay.encryption == .requireSTARTTLS)
        #expect(try SMTPURL.parse("smtp://user@localhost:2525").get().relay.encryption == .requireSTARTTLS)
        #expect(try SMTPURL.parse("smtp://relay.example.com:587").get().relay.encryption == .requireSTARTTLS)
        #expect(try SMTPURL.parse("smtps://user:pass@relay.example.com").get().relay.encryption == .implicitTLS)
    }

    @Test func credentialsTravelApartFromTheURL() throws {
        let relay = try SMTPURL.parse("smtp://me:secret@relay.example.com:587").get().relay
        #expect(relay.url == "smtp://relay.example.com:587")
        #expect((relay.user, relay.password) == ("me", "secret"))
    }
}
