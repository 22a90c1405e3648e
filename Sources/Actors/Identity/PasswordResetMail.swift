/// The password-reset mail (SPEC §6.2): a link `PMD_APP_URL/reset-password?token=TOKEN` in a
/// plain-text and an HTML part.
enum PasswordResetMail {
    static let subject = "Reset your PenguinMails password"

    /// - Parameters:
    ///   - appURL: `PMD_APP_URL`, without a trailing slash (the config guarantees it).
    ///   - token: the reset token; base64url, so it needs no escaping in a URL.
    static func compose(to email: String, appURL: String, token: String, validForSeconds: Int64) -> OutgoingMail {
        let validity = LinkMail.humanDuration(seconds: validForSeconds)
        let ask = "To choose a new password, open this link within \(validity):"
        return LinkMail(
            subject: subject,
            reason: (
                text: "Someone asked to reset the password of the PenguinMails account for \(email).\n\(ask)",
                html: "Someone asked to reset the password of the PenguinMails account for <strong>\(HTMLText.escape(email))</strong>.\n\(ask)"
            ),
            link: "\(appURL)/reset-password?token=\(token)", linkLabel: "Reset your password",
            advice: "The link works once. If you did not ask for a reset, ignore this mail: your password stays as it is."
        ).compose(to: email)
    }
}
