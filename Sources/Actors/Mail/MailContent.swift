import Persistence

/// What a mail in the outbox is about: the facts needed to write it, never its link. The link's
/// token is minted by the mailer when it delivers (`LinkMinter`), so the outbox — and with it the
/// WAL, the tables and LMDB's free pages — never holds a token that works (SPEC §5.7).
public enum MailContent: Sendable, Equatable {
    /// A password-reset link for the user's current reset (SPEC §6.2).
    case passwordReset(PasswordResetFacts)
    /// An invitation link (SPEC §6.3).
    case invitation(InvitationFacts)
    /// A mail an older pmd rendered in full, link included, before links were minted at delivery
    /// (outbox rows of version 1): sent as it is, so an upgrade loses no mail.
    case rendered(OutgoingMail)

    public struct PasswordResetFacts: Sendable, Equatable {
        public let userID: ID
        /// When the reset ends; the mail states how long the link is good for.
        public let expiresAt: Timestamp
    }

    public struct InvitationFacts: Sendable, Equatable {
        public let tenantID: ID
        public let invitationID: ID
        /// As it was when the invitation was made.
        public let tenantName: String
        public let role: Role
        public let expiresAt: Timestamp
    }

    /// The name `mail.list` shows.
    public var kind: String {
        switch self {
        case .passwordReset: "passwordReset"
        case .invitation: "invitation"
        case .rendered: "rendered"
        }
    }

    /// The subject line, which carries no secret: logs may show it.
    public var subject: String {
        switch self {
        case .passwordReset: PasswordResetMail.subject
        case let .invitation(facts): InvitationMail.subject(tenantName: facts.tenantName)
        case let .rendered(mail): mail.subject
        }
    }

    /// Whether delivering it needs a freshly minted link.
    public var needsLink: Bool {
        if case .rendered = self { return false }
        return true
    }

    /// The mail to `recipient` with the link built on `token` (ignored for a rendered mail).
    /// The validity it states is the lifetime the reset or invitation was given when made.
    public func compose(to recipient: String, createdAt: Timestamp, token: String, appURL: String) -> OutgoingMail {
        switch self {
        case let .passwordReset(facts):
            PasswordResetMail.compose(
                to: recipient, appURL: appURL, token: token,
                validForSeconds: Self.seconds(from: createdAt, to: facts.expiresAt))
        case let .invitation(facts):
            InvitationMail.compose(
                to: recipient, tenantName: facts.tenantName, role: facts.role, appURL: appURL, token: token,
                validForSeconds: Self.seconds(from: createdAt, to: facts.expiresAt))
        case let .rendered(mail):
            mail
        }
    }

    private static func seconds(from start: Timestamp, to end: Timestamp) -> Int64 {
        max(0, (end.milliseconds - start.milliseconds) / 1000)
    }
}

// MARK: - Row encoding (inside an outbox row, after the recipient)

extension MailContent {
    private enum Tag: UInt8 {
        case passwordReset = 1
        case invitation = 2
    }

    func write(to w: inout ByteWriter) {
        switch self {
        case let .passwordReset(facts):
            w.write(Tag.passwordReset.rawValue)
            w.write(facts.userID)
            w.writeVarint(facts.expiresAt.milliseconds)
        case let .invitation(facts):
            w.write(Tag.invitation.rawValue)
            w.write(facts.tenantID)
            w.write(facts.invitationID)
            w.write(facts.tenantName)
            w.write(facts.role.rawValue)
            w.writeVarint(facts.expiresAt.milliseconds)
        case .rendered:
            preconditionFailure("rendered mail is only ever read from version-1 rows, never written")
        }
    }

    init(reader r: inout ByteReader) throws(ByteReader.Malformed) {
        let offset = r.offset
        switch Tag(rawValue: try r.readByte()) {
        case .passwordReset:
            self = .passwordReset(PasswordResetFacts(userID: try r.readID(), expiresAt: Timestamp(milliseconds: try r.readVarint())))
        case .invitation:
            let tenantID = try r.readID()
            let invitationID = try r.readID()
            let tenantName = try r.readString()
            guard let role = Role(rawValue: try r.readString()) else {
                throw ByteReader.Malformed(offset: r.offset, reason: "unknown role")
            }
            self = .invitation(
                InvitationFacts(
                    tenantID: tenantID, invitationID: invitationID, tenantName: tenantName, role: role,
                    expiresAt: Timestamp(milliseconds: try r.readVarint())))
        case nil:
            throw ByteReader.Malformed(offset: offset, reason: "unknown mail kind")
        }
    }
}
