/// The `LinkMinter` of a running pmd: reset links from the identity actor, invitation links from
/// the tenant that owns the invitation. Each commits the new hash through the WAL, in the actor
/// that owns the row, so minting replicates like any other change.
public struct MailLinks: LinkMinter {
    let identity: Identity
    let tenancy: Tenancy

    public init(identity: Identity, tenancy: Tenancy) {
        self.identity = identity
        self.tenancy = tenancy
    }

    public func mintLink(for entry: OutboxEntry) async -> MintedLink {
        switch entry.content {
        case let .passwordReset(facts):
            await identity.mintResetLink(user: facts.userID)
        case let .invitation(facts):
            await tenancy.mintInvitationLink(tenant: facts.tenantID, invitation: facts.invitationID)
        case .rendered:
            // Composed long ago with its link inside; nothing to mint.
            .obsolete
        }
    }
}
