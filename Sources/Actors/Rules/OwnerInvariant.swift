/// SPEC §6.4: "A tenant always keeps at least one owner." Pure checks on owner counts, so the
/// tenant actor can refuse a change before it writes anything.
public enum OwnerInvariant {
    /// Whether changing one member's role from `from` to `to` leaves an owner, given the tenant's
    /// current number of owners.
    public static func allowsRoleChange(from: Role, to: Role, ownerCount: Int) -> Bool {
        ownersAfter(ownerCount, losing: from == .owner && to != .owner) >= 1
    }

    /// Whether removing a member who has `role` leaves an owner.
    public static func allowsRemoval(of role: Role, ownerCount: Int) -> Bool {
        ownersAfter(ownerCount, losing: role == .owner) >= 1
    }

    /// Whether a complete list of member roles satisfies the invariant.
    public static func holds<S: Sequence<Role>>(_ roles: S) -> Bool {
        roles.contains(.owner)
    }

    private static func ownersAfter(_ count: Int, losing: Bool) -> Int { losing ? count - 1 : count }
}

/// Combined checks for `members.remove` and `members.setRole`, in the order the errors should
/// win: self-removal, then permission, then the last-owner invariant.
public enum MembershipRules {
    /// Checks that `actor` may remove `target`.
    /// - Parameters:
    ///   - ownerCount: owners in the tenant right now (including the target if an owner).
    /// - Throws: 403 "You cannot remove yourself from the tenant", 403 "Forbidden", or 403 last-owner.
    public static func checkRemoval<Identifier: Equatable>(
        actorID: Identifier, actorRole: Role, targetID: Identifier, targetRole: Role, ownerCount: Int
    ) throws(DomainError) {
        if actorID == targetID { throw DomainError.cannotRemoveSelf }
        try Permissions.require(actorRole, .removeMember(targetRole))
        guard OwnerInvariant.allowsRemoval(of: targetRole, ownerCount: ownerCount) else { throw DomainError.lastOwner }
    }

    /// Checks that `actorRole` may change a member's role from `from` to `to`. An actor may change
    /// their own role (an owner stepping down once another owner exists).
    /// - Throws: 403 "Forbidden" or 403 last-owner.
    public static func checkRoleChange(actorRole: Role, from: Role, to: Role, ownerCount: Int) throws(DomainError) {
        try Permissions.require(actorRole, .setRole(from: from, to: to))
        guard OwnerInvariant.allowsRoleChange(from: from, to: to, ownerCount: ownerCount) else {
            throw DomainError.lastOwner
        }
    }
}
