/// The words of one mail (a reset or invitation, link included), composed in memory at delivery
/// and never stored. Sender, date and MIME structure are added when it is rendered (`MailMessage`).
public struct OutgoingMail: Sendable, Equatable {
    /// Recipient address (already validated by the feature's own rules).
    public var to: String
    public var subject: String
    /// The plain-text part; lines end in `\n` or `\r\n`, the renderer makes them CRLF.
    public var text: String
    /// The HTML part, a complete document.
    public var html: String

    public init(to: String, subject: String, text: String, html: String) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Who pmd's mail comes from (`PMD_MAIL_FROM`).
public struct MailSender: Sendable, Equatable {
    /// Display name, nil for a bare address.
    public var name: String?
    /// `local@domain`, the envelope sender too.
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// The part after the `@`, used to make Message-IDs unique to this sender.
    public var domain: String {
        guard let at = address.lastIndex(of: "@") else { return "localhost" }
        let domain = address[address.index(after: at)...]
        return domain.isEmpty ? "localhost" : String(domain)
    }
}
