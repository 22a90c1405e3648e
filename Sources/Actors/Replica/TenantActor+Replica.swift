import Persistence

extension TenantActor {
    /// A standby's share of replicated rows for this tenant (`ReplicaApplier`), in log order.
    /// Reads after a promotion wait for the newest of them (`lastLSN`) like for any write.
    func applyReplicated(_ changes: [(LSN, ReplicaPlan.TenantRowChange)]) {
        for (lsn, change) in changes {
            switch change {
            case let .change(change): state.apply(change)
            case let .removeMember(user):
                if let membership = state.member(user) { state.apply(.removeMember(membership)) }
            case let .removeInvitation(id):
                if let invitation = state.invitations.first(where: { $0.id == id }) { state.apply(.removeInvitation(invitation)) }
            }
            lastLSN = max(lastLSN, lsn)
        }
    }
}
