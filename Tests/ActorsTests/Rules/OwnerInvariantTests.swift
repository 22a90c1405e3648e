import Testing
@testable import Actors

@Suite("Owner invariant")
struct OwnerInvariantTests {
    @Test func roleChanges() {
        #expect(!OwnerInvariant.allowsRoleChange(from: .owner, to: .admin, ownerCount: 1))
        #expect(!OwnerInvariant.allowsRoleChange(from: .owner, to: .viewer, ownerCount: 1))
        #expect(OwnerInvariant.allowsRoleChange(from: .owner, to: .owner, ownerCount: 1))
        #expect(OwnerInvariant.allowsRoleChange(from: .owner, to: .member, ownerCount: 2))
        #expect(OwnerInvariant.allowsRoleChange(from: .admin, to: .member, ownerCount: 1))
        #expect(OwnerInvariant.allowsRoleChange(from: .member, to: .owner, ownerCount: 1))
    }

    @Test func removals() {
        #expect(!OwnerInvariant.allowsRemoval(of: .owner, ownerCount: 1))
        #expect(OwnerInvariant.allowsRemoval(of: .owner, ownerCount: 2))
        #expect(OwnerInvariant.allowsRemoval(of: .admin, ownerCount: 1))
        #expect(OwnerInvariant.allowsRemoval(of: .viewer, ownerCount: 1))
    }

    @Test func holds() {
        #expect(OwnerInvariant.holds([Role.owner, .member]))
        #expect(!OwnerInvariant.holds([Role.admin, .member]))
        #expect(!OwnerInvariant.holds([Role]()))
    }

    @Test func removalChecksInOrder() {
        func removal(_ actor: String, _ aRole: Role, _ target: String, _ tRole: Role, owners: Int) -> DomainError? {
            RulesTestSupport.error { () throws(DomainError) in
                try MembershipRules.checkRemoval(actorID: actor, actorRole: aRole, targetID: target, targetRole: tRole, ownerCount: owners)
            }
        }
        #expect(removal("u1", .owner, "u1", .owner, owners: 2) == .cannotRemoveSelf)
        #expect(removal("u1", .viewer, "u1", .viewer, owners: 1) == .cannotRemoveSelf)
        #expect(removal("u1", .admin, "u2", .admin, owners: 1) == .forbiddenAction)
        #expect(removal("u1", .member, "u2", .viewer, owners: 1) == .forbiddenAction)
        #expect(removal("u1", .admin, "u2", .viewer, owners: 1) == nil)
        #expect(removal("u1", .owner, "u2", .owner, owners: 2) == nil)
        // Only reachable with inconsistent counts, but the check must still hold.
        #expect(removal("u1", .owner, "u2", .owner, owners: 1) == .lastOwner)
    }

    @Test func roleChangeChecks() {
        func change(_ actor: Role, _ from: Role, _ to: Role, owners: Int) -> DomainError? {
            RulesTestSupport.error { () throws(DomainError) in
                try MembershipRules.checkRoleChange(actorRole: actor, from: from, to: to, ownerCount: owners)
            }
        }
        #expect(change(.owner, .owner, .admin, owners: 1) == .lastOwner)   // the sole owner stepping down
        #expect(change(.owner, .owner, .admin, owners: 2) == nil)
        #expect(change(.admin, .member, .admin, owners: 1) == .forbiddenAction)
        #expect(change(.admin, .member, .viewer, owners: 1) == nil)
        #expect(change(.member, .viewer, .member, owners: 1) == .forbiddenAction)
        #expect(change(.owner, .member, .owner, owners: 1) == nil)
    }
}
