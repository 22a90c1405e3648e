import Persistence

extension Directory {
    /// A standby's share of replicated rows (`ReplicaApplier`): workspace names taken and
    /// invitation tokens. Invitations are deleted by id; the tenant they belonged to is found
    /// here and told too.
    func applyReplicated(_ changes: [ReplicaPlan.DirectoryChange]) async {
        var removed: [(tenant: ID, invitation: ID)] = []
        for change in changes {
            switch change {
            case let .workspaceName(name):
                noteWorkspaceName(name)
            case let .invitation(hash, tenant, invitation):
                forgetInvitation(id: invitation)
                registerInvitation(hash, tenant: tenant, invitation: invitation)
            case let .removeInvitation(id):
                if let tenant = forgetInvitation(id: id) { removed.append((tenant, id)) }
            }
        }
        for (tenant, invitation) in removed {
            await self.tenant(tenant)?.applyReplicated([(0, .removeInvitation(invitation))])
        }
    }
}
