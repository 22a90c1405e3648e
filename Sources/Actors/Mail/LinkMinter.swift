import Persistence

/// Mints the secret link of a mail at the moment the mailer delivers it. The owner of the reset
/// or invitation (an actor) generates a token, commits its SHA-256 through the WAL in place of
/// the previous one — so only the link of the latest mail sent works — and hands the token back,
/// in memory only. The mailer waits until that record is durable before sending; a crash in
/// between simply mints again on the next attempt.
public protocol LinkMinter: Sendable {
    func mintLink(for entry: OutboxEntry) async -> MintedLink
}

public enum MintedLink: Sendable {
    /// The token for the link, and the LSN of the record that holds its hash.
    case minted(SecretToken, lsn: LSN)
    /// The reset or invitation is gone (used, replaced, revoked, expired) or being accepted right
    /// now with a link already sent: the mail is not sent.
    case obsolete
    /// Storage has failed; the mail waits.
    case unavailable
}
