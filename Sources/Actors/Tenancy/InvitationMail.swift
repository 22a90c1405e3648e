/// The invitation mail (SPEC §6.3): a link `PMD_APP_URL/invite?token=TOKEN` in a plain-text and
/// an HTML part, naming the tenant and the role.
enum InvitationMail {
    static func subject(tenantName: String) -> String { "You are invited to \(tenantName) on PenguinMails" }

    static func compose(to email: String, tenantName: String, role: Role, appURL: String, token: String, validForSeconds: Int64) -> OutgoingMail {
        let validity = LinkMail.humanDuration(seconds: validForSeconds)
        return LinkMail(
            subject: subject(tenantName: tenantName),
            reason: (
                text: """
                    You have been invited to join \(tenantName) on PenguinMails as \(role.rawValue).
                    To accept, sign in with this address (\(email)) and open this link within \(validity):
                    """,
                html: """
                    You have been invited to join <strong>\(HTMLText.escape(tenantName))</strong> on PenguinMails as \(role.rawValue).
                    To accept, sign in with this address (\(HTMLText.escape(email))) and open this link within \(validity):
                    """
            ),
            link: "\(appURL)/invite?token=\(token)", linkLabel: "Accept the invitation",
            advice: "If you did not expect this invitation, ignore this mail."
        ).compose(to: email)
    }
}
