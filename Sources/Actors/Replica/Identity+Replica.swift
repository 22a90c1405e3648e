import Persistence

extension Identity {
    /// A standby's share of replicated rows (`ReplicaApplier`), in log order.
    func applyReplicated(_ changes: [(LSN, ReplicaPlan.IdentityChange)]) {
        for (_, change) in changes {
            switch change {
            case let .user(user): state.put(user)
            case let .session(session): state.put(session)
            case let .removeSession(hash): state.removeSession(hash)
            case let .reset(reset): state.put(reset)
            case let .removeReset(user): state.removeReset(of: user)
            case let .membership(user, tenant): state.addMembership(user: user, tenant: tenant)
            case let .removeMembership(user, tenant): state.removeMembership(user: user, tenant: tenant)
            }
        }
    }
}
