/// The shape pmd's mails share: a greeting, why the mail came, one link (also spelled out in the
/// HTML part, for clients that hide links), what to do if it was not expected, and the signature —
/// as a plain-text and an HTML part with the same words.
struct LinkMail {
    var subject: String
    /// Why the mail came, as plain text and as HTML (already escaped, may emphasise).
    var reason: (text: String, html: String)
    var link: String
    var linkLabel: String
    /// The closing advice, plain text (escaped for the HTML part).
    var advice: String

    func compose(to email: String) -> OutgoingMail {
        let text = """
            Hello,

            \(reason.text)

            \(link)

            \(advice)

            PenguinMails
            """
        let safeLink = HTMLText.escape(link)
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(HTMLText.escape(subject))</title></head>
            <body style="font-family: sans-serif; line-height: 1.5;">
            <p>Hello,</p>
            <p>\(reason.html)</p>
            <p><a href="\(safeLink)">\(HTMLText.escape(linkLabel))</a></p>
            <p style="font-size: small;">Or copy this address into your browser: \(safeLink)</p>
            <p>\(HTMLText.escape(advice))</p>
            <p>PenguinMails</p>
            </body>
            </html>
            """
        return OutgoingMail(to: email, subject: subject, text: text, html: html)
    }

    /// `1 hour`, `30 minutes`, `2 days`: the largest unit that divides the duration exactly.
    static func humanDuration(seconds: Int64) -> String {
        let units: [(Int64, String)] = [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")]
        for (size, name) in units where seconds >= size && seconds % size == 0 {
            let count = seconds / size
            return "\(count) \(name)\(count == 1 ? "" : "s")"
        }
        return "\(seconds) seconds"
    }
}
