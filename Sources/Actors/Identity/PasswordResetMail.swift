/// The password-reset mail (SPEC §6.2): a link `PMD_APP_URL/reset-password?token=TOKEN` in a
/// plain-text and an HTML part.
enum PasswordResetMail {
    static let subject = "Reset your PenguinMails password"

    /// - Parameters:
    ///   - appURL: `PMD_APP_URL`, without a trailing slash (the config guarantees it).
    ///   - token: the reset token; base64url, so it needs no escaping in a URL.
    static func compose(to email: String, appURL: String, token: String, validForSeconds: Int64) -> OutgoingMail {
        let link = "\(appURL)/reset-password?token=\(token)"
        let validity = humanDuration(seconds: validForSeconds)
        let text = """
            Hello,

            Someone asked to reset the password of the PenguinMails account for \(email).
            To choose a new password, open this link within \(validity):

            \(link)

            The link works once. If you did not ask for a reset, ignore this mail: your password stays as it is.

            PenguinMails
            """
        let safeLink = HTMLText.escape(link)
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(HTMLText.escape(subject))</title></head>
            <body style="font-family: sans-serif; line-height: 1.5;">
            <p>Hello,</p>
            <p>Someone asked to reset the password of the PenguinMails account for <strong>\(HTMLText.escape(email))</strong>.
            To choose a new password, open this link within \(validity):</p>
            <p><a href="\(safeLink)">Reset your password</a></p>
            <p style="font-size: small;">Or copy this address into your browser: \(safeLink)</p>
            <p>The link works once. If you did not ask for a reset, ignore this mail: your password stays as it is.</p>
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
