/// Something a member may try to do inside their active tenant.
public enum TenantAction: Sendable, Equatable, Hashable {
    case readCompanies
    case readMembers
    case readPlans
    case readSubscription
    /// `invites.list`. Not in the spec's table; pending invitations expose invitees' email
    /// addresses, so only those who can manage invitations (owner, admin) may list them.
    case readInvites
    /// `companies.create`, `companies.update`, `companies.archive`.
    case manageCompanies
    /// `invites.create` with the role the invitee would get.
    case invite(Role)
    /// `members.remove` of a member who currently has this role.
    case removeMember(Role)
    /// `members.setRole` from the member's current role to the new one.
    case setRole(from: Role, to: Role)
    /// `invites.revoke`.
    case revokeInvite
    case billingCheckout
    case billingPortal
    case billingReconcile
}

/// The one place that decides who may do what in a tenant (SPEC §6.4):
///
/// | action                                                        | owner | admin | member | viewer |
/// |---------------------------------------------------------------|:-----:|:-----:|:------:|:------:|
/// | read companies, members, plans, subscription                  |   ✓   |   ✓   |   ✓    |   ✓    |
/// | create/update/archive companies                               |   ✓   |   ✓   |        |        |
/// | invite or remove members/viewers; revoke invites; list invites|   ✓   |   ✓   |        |        |
/// | change a role between member and viewer                       |   ✓   |   ✓   |        |        |
/// | invite, promote or remove owners and admins                   |   ✓   |       |        |        |
/// | billing checkout, portal, reconcile                           |   ✓   |       |        |        |
///
/// `setRole` is "promote" when either side is owner or admin (granting, or taking away, a
/// privileged role), so it is owner-only; member ↔ viewer is allowed to admins because they
/// could achieve it anyway by removing and re-inviting. Listing invitations and reconciling
/// billing are not in the spec's table and follow their closest rows.
///
/// Permissions answer "may this role do this at all"; the self-removal and last-owner checks
/// are in `MembershipRules` / `OwnerInvariant`.
public enum Permissions {
    /// Whether `role` may perform `action`.
    public static func permits(_ role: Role, _ action: TenantAction) -> Bool {
        switch role {
        case .owner:
            return true
        case .admin:
            switch action {
            case .readCompanies, .readMembers, .readPlans, .readSubscription, .readInvites,
                 .manageCompanies, .revokeInvite:
                return true
            case .invite(let target), .removeMember(let target):
                return !target.isPrivileged
            case .setRole(let from, let to):
                return !from.isPrivileged && !to.isPrivileged
            case .billingCheckout, .billingPortal, .billingReconcile:
                return false
            }
        case .member, .viewer:
            switch action {
            case .readCompanies, .readMembers, .readPlans, .readSubscription:
                return true
            default:
                return false
            }
        }
    }

    /// Throws 403 "Forbidden" unless `role` may perform `action`.
    public static func require(_ role: Role, _ action: TenantAction) throws(DomainError) {
        guard permits(role, action) else { throw DomainError.forbiddenAction }
    }
}

extension Role {
    /// Whether this role may perform `action`; same as `Permissions.permits(self, action)`.
    public func can(_ action: TenantAction) -> Bool { Permissions.permits(self, action) }
}
