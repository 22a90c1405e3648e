import Actors

extension SMTPURL {
    /// The mailer's view of the relay: the URL without credentials, credentials apart.
    var relay: SMTPRelay {
        SMTPRelay(
            url: urlWithoutCredentials, user: user, password: password,
            encryption: .rule(implicitTLS: implicitTLS, host: host, hasCredentials: user != nil || password != nil))
    }
}
