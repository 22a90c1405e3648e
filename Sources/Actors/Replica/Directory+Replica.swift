import Persistence

extension Directory {
    /// A standby's share of replicated rows (`ReplicaApplier`): workspace names taken and the
    /// invitation links that work.
    func applyReplicated(_ changes: [ReplicaPlan.DirectoryChange]) {
        for change in changes {
            switch change {
            case let .workspaceName(name):
                noteWorkspaceName(name)
            case let .invitation(hash, tenant, invitation):
                forgetInvitation(id: invitation)
                if let hash { registerInvitation(hash, tenant: tenant, invitation: invitation) }
            case let .removeInvitation(id):
                forgetInvitation(id: id)
            }
        }
    }
}
