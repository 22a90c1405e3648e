/// Where and how to hand mail over (`PMD_SMTP_URL`), in the form libcurl takes it: the URL
/// without credentials, and the credentials apart, so the URL can be logged.
public struct SMTPRelay: Sendable, Equatable {
    /// `smtp://host:port[/ehlo-domain]` or `smtps://…`; credentials left out.
    public var url: String
    public var user: String?
    /// Secret: never logged.
    public var password: String?
    /// TLS from the first byte, STARTTLS required, or STARTTLS when offered (`SMTPEncryption.rule`).
    public var encryption: SMTPEncryption
    public var connectTimeout: Duration
    /// Bound on a whole delivery, so a relay that stops answering cannot hold the mailer.
    public var timeout: Duration

    public init(
        url: String, user: String?, password: String?, encryption: SMTPEncryption,
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.user = user
        self.password = password
        self.encryption = encryption
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}
