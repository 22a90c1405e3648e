/// The invitation mail (SPEC §6.3): a link `PMD_APP_URL/invite?token=TOKEN` in a plain-text and
/// an HTML part, naming the tenant and the role.
enum InvitationMail {
    static func compose(to email: String, tenantName: String, role: Role, appURL: String, token: String, validForSeconds: Int64) -> OutgoingMail {
        let link = "\(appURL)/invite?token=\(token)"
        let validity = PasswordResetMail.humanDuration(seconds: validForSeconds)
        let subject = "You are invited to \(tenantName) on PenguinMails"
        let text = """
            Hello,

            You have been invited to join \(tenantName) on PenguinMails as \(role.rawValue).
            To accept, sign in with this address (\(email)) and open this link within \(validity):

            \(link)

            If you did not expect this invitation, ignore this mail.

            PenguinMails
            """
        let safeLink = HTMLText.escape(link)
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(HTMLText.escape(subject))</title></head>
            <body style="font-family: sans-serif; line-height: 1.5;">
            <p>Hello,</p>
            <p>You have been invited to join <strong>\(HTMLText.escape(tenantName))</strong> on PenguinMails as \(role.rawValue).
            To accept, sign in with this address (\(HTMLText.escape(email))) and open this link within \(validity):</p>
            <p><a href="\(safeLink)">Accept the invitation</a></p>
            <p style="font-size: small;">Or copy this address into your browser: \(safeLink)</p>
            <p>If you did not expect this invitation, ignore this mail.</p>
            <p>PenguinMails</p>
            </body>
            </html>
            """
        return OutgoingMail(to: email, subject: subject, text: text, html: html)
    }
}
