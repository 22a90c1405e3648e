import Testing
@testable import Actors

/// SPEC §6.4 as data: every action with the set of roles allowed to do it. Written out by hand
/// (not computed) so the test states the table independently of `Permissions.permits`.
@Suite("Role × action matrix")
struct PermissionsTests {
    struct Cell: Sendable, CustomStringConvertible {
        let role: Role
        let action: TenantAction
        let allowed: Bool
        var description: String { "\(role) \(action) → \(allowed)" }
    }

    static let all: Set<Role> = [.owner, .admin, .member, .viewer]
    static let ownerAdmin: Set<Role> = [.owner, .admin]
    static let ownerOnly: Set<Role> = [.owner]

    static let table: [(TenantAction, Set<Role>)] = [
        // read companies, members, plans, subscription: everyone
        (.readCompanies, all), (.readMembers, all), (.readPlans, all), (.readSubscription, all),
        // create/update/archive companies; invite or remove members/viewers; revoke invites: owner, admin
        (.manageCompanies, ownerAdmin),
        (.invite(.member), ownerAdmin), (.invite(.viewer), ownerAdmin),
        (.removeMember(.member), ownerAdmin), (.removeMember(.viewer), ownerAdmin),
        (.revokeInvite, ownerAdmin),
        (.readInvites, ownerAdmin),
        // invite, promote or remove owners and admins: owner only
        (.invite(.owner), ownerOnly), (.invite(.admin), ownerOnly),
        (.removeMember(.owner), ownerOnly), (.removeMember(.admin), ownerOnly),
        // role changes: owner-only whenever owner/admin is on either side; member ↔ viewer for admins too
        (.setRole(from: .owner, to: .owner), ownerOnly),
        (.setRole(from: .owner, to: .admin), ownerOnly),
        (.setRole(from: .owner, to: .member), ownerOnly),
        (.setRole(from: .owner, to: .viewer), ownerOnly),
        (.setRole(from: .admin, to: .owner), ownerOnly),
        (.setRole(from: .admin, to: .admin), ownerOnly),
        (.setRole(from: .admin, to: .member), ownerOnly),
        (.setRole(from: .admin, to: .viewer), ownerOnly),
        (.setRole(from: .member, to: .owner), ownerOnly),
        (.setRole(from: .member, to: .admin), ownerOnly),
        (.setRole(from: .member, to: .member), ownerAdmin),
        (.setRole(from: .member, to: .viewer), ownerAdmin),
        (.setRole(from: .viewer, to: .owner), ownerOnly),
        (.setRole(from: .viewer, to: .admin), ownerOnly),
        (.setRole(from: .viewer, to: .member), ownerAdmin),
        (.setRole(from: .viewer, to: .viewer), ownerAdmin),
        // billing checkout and portal (and reconcile): owner only
        (.billingCheckout, ownerOnly), (.billingPortal, ownerOnly), (.billingReconcile, ownerOnly),
    ]

    static let cells: [Cell] = table.flatMap { action, allowed in
        Role.allCases.map { Cell(role: $0, action: action, allowed: allowed.contains($0)) }
    }

    @Test(arguments: cells)
    func cell(_ cell: Cell) {
        #expect(Permissions.permits(cell.role, cell.action) == cell.allowed)
        #expect(cell.role.can(cell.action) == cell.allowed)
        let thrown = RulesTestSupport.error { () throws(DomainError) in try Permissions.require(cell.role, cell.action) }
        #expect(thrown == (cell.allowed ? nil : DomainError.forbidden("Forbidden")))
    }

    /// The table must list every action exactly once, so no cell goes untested.
    @Test func tableCoversEveryAction() {
        var everyAction: [TenantAction] = [
            .readCompanies, .readMembers, .readPlans, .readSubscription, .readInvites, .manageCompanies,
            .revokeInvite, .billingCheckout, .billingPortal, .billingReconcile,
        ]
        for r in Role.allCases {
            everyAction.append(.invite(r))
            everyAction.append(.removeMember(r))
            for to in Role.allCases { everyAction.append(.setRole(from: r, to: to)) }
        }
        let listed = Self.table.map(\.0)
        #expect(Set(listed) == Set(everyAction))
        #expect(listed.count == everyAction.count)
        #expect(Self.cells.count == 34 * 4)
    }

    @Test func parseRole() {
        #expect(RulesTestSupport.run { () throws(RuleViolation) in try Role.parse("admin") } == .ok(Role.admin))
        for bad in ["", "Admin", "root", " owner"] {
            #expect(RulesTestSupport.run { () throws(RuleViolation) in try Role.parse(bad) }
                == .rejected("Role must be one of owner, admin, member, viewer"))
        }
    }
}
