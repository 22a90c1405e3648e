/// A complete RFC 5322 message, ready for SMTP's DATA: headers and a multipart/alternative body
/// with a plain-text and an HTML part. Pure: the same inputs render the same bytes; a retried
/// delivery differs from the first attempt only in its freshly minted link.
///
/// Lines end in CRLF. Dot-stuffing (a line starting with `.`) is the SMTP client's job (libcurl
/// does it), so it is not done here.
public struct MailMessage: Sendable, Equatable {
    public var from: MailSender
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var date: Timestamp
    /// Without angle brackets: `id@domain`.
    public var messageID: String

    public init(from: MailSender, to: String, subject: String, text: String, html: String, date: Timestamp, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
    }

    /// The message for an outbox entry, with its words (`mail`) composed for this attempt: dated
    /// when its cause was committed, identified by the entry's id so every retry carries the same
    /// Message-ID (a receiver can drop duplicates).
    public init(_ entry: OutboxEntry, mail: OutgoingMail, from sender: MailSender) {
        self.init(
            from: sender, to: entry.to, subject: mail.subject, text: mail.text, html: mail.html,
            date: entry.createdAt, messageID: "\(entry.id)@\(sender.domain)")
    }

    /// The separator of the two parts. It starts with `=_`, which quoted-printable never
    /// produces (it always encodes `=`), so it cannot occur inside either part.
    public var boundary: String {
        "=_pmd_" + String(messageID.prefix { $0 != "@" }.filter { $0 != "-" })
    }

    /// The `From:` value: the display name as it is, quoted, or as encoded words (by the rules
    /// of `MIMEEncoding.headerText`, so that a client shows exactly the name), then the address.
    var fromHeader: String {
        guard let name = from.name, !name.isEmpty else { return from.address }
        let cleaned = MIMEEncoding.withoutControls(name)
        let address = "<\(from.address)>"
        guard MIMEEncoding.isPlain(cleaned) else {
            var lines = MIMEEncoding.encodedWords(cleaned, firstLineRoom: MIMEEncoding.maxEncodedLine - "From: ".count)
            // The address follows the last word on its line, or on a line of its own.
            let last = lines.removeLast()
            let column = (lines.isEmpty ? "From: ".count : 1) + last.utf8.count
            let tail = column + 1 + address.utf8.count <= MIMEEncoding.maxEncodedLine ? " " : "\r\n "
            return (lines + [last + tail + address]).joined(separator: "\r\n ")
        }
        let specials = Set("()<>[]:;@\\,.\"")
        guard cleaned.contains(where: { specials.contains($0) }) else { return "\(cleaned) \(address)" }
        let escaped = cleaned.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\"\(escaped)\" \(address)"
    }

    /// The message as it goes on the wire.
    public func rendered() -> [UInt8] {
        let crlf = "\r\n"
        var out = ""
        out += "Date: \(MailDate.format(date))" + crlf
        out += "From: \(fromHeader)" + crlf
        out += "To: \(MIMEEncoding.headerText(to, prefix: "To: ".count))" + crlf
        out += "Subject: \(MIMEEncoding.headerText(subject, prefix: "Subject: ".count))" + crlf
        out += "Message-ID: <\(MIMEEncoding.withoutControls(messageID))>" + crlf
        out += "MIME-Version: 1.0" + crlf
        // Folded: on one line the boundary would take it past 78 characters.
        out += "Content-Type: multipart/alternative;" + crlf + " boundary=\"\(boundary)\"" + crlf
        out += crlf
        out += "This is a multi-part message in MIME format." + crlf
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            out += crlf + "--\(boundary)" + crlf
            out += "Content-Type: \(type); charset=utf-8" + crlf
            out += "Content-Transfer-Encoding: quoted-printable" + crlf
            out += crlf
            out += MIMEEncoding.quotedPrintable(body)
        }
        out += crlf + "--\(boundary)--" + crlf
        return Array(out.utf8)
    }
}
