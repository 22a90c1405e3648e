import Testing
@testable import Actors

/// The tenancy rules driven directly on `TenantState`, with no actor, WAL or socket.
@Suite struct TenantStateTests {
    let now = Timestamp(milliseconds: 1_764_158_400_000)
    let owner = ID.random()
    let admin = ID.random()
    let member = ID.random()
    let viewer = ID.random()
    let outsider = ID.random()

    func tenant() -> TenantState {
        var state = TenantState(tenant: Tenant(id: .random(), name: "Acme", createdAt: now, updatedAt: now))
        for (user, role) in [(owner, Role.owner), (admin, .admin), (member, .member), (viewer, .viewer)] {
            state.apply(.member(Membership(tenantID: state.tenant.id, userID: user, role: role, joinedAt: now)))
        }
        return state
    }

    func error(_ body: () throws -> Void) -> DomainError? {
        do {
            try body()
            return nil
        } catch let error as DomainError {
            return error
        } catch {
            return .internal("\(error)")
        }
    }

    @Test func onlyOwnersAndAdminsManageCompanies() throws {
        let state = tenant()
        _ = try state.createCompany(by: owner, name: "A", workspaceName: "a", now: now)
        _ = try state.createCompany(by: admin, name: "A", workspaceName: "a", now: now)
        #expect(error { _ = try state.createCompany(by: member, name: "A", workspaceName: "a", now: now) } == .forbiddenAction)
        #expect(error { _ = try state.createCompany(by: viewer, name: "A", workspaceName: "a", now: now) } == .forbiddenAction)
        #expect(error { _ = try state.createCompany(by: outsider, name: "A", workspaceName: "a", now: now) } == .noTenantContext)
    }

    @Test func companiesListNewestFirstAndUpdatesKeepTheWorkspaceName() throws {
        var state = tenant()
        let first = try state.createCompany(by: owner, name: "First", workspaceName: "first", now: now)
        state.apply(.company(first))
        let second = try state.createCompany(by: owner, name: "Second", workspaceName: "second", now: now.adding(seconds: 1))
        state.apply(.company(second))
        #expect(state.companiesNewestFirst.map(\.name) == ["Second", "First"])
        let renamed = try state.updateCompany(
            by: admin, id: first.id, patch: try CompanyPatch.validate(name: "Renamed", logoUrl: .value("https://x.example/l.png")),
            now: now.adding(seconds: 2))
        #expect(renamed.workspaceName == "first")
        #expect(renamed.logoURL == "https://x.example/l.png")
        state.apply(.company(renamed))
        let archived = try state.archiveCompany(by: owner, id: first.id, now: now)
        #expect(archived.status == .archived)
        #expect(error { _ = try state.company(.random()) } == .companyNotFound)
    }

    @Test func removalRulesInTheirOrder() {
        let state = tenant()
        #expect(error { _ = try state.removeMember(by: admin, target: admin) } == .cannotRemoveSelf)
        #expect(error { _ = try state.removeMember(by: member, target: viewer) } == .forbiddenAction)
        #expect(error { _ = try state.removeMember(by: viewer, target: outsider) } == .forbiddenAction, "a viewer cannot probe membership")
        #expect(error { _ = try state.removeMember(by: admin, target: outsider) } == .memberNotFound)
        #expect(error { _ = try state.removeMember(by: admin, target: owner) } == .forbiddenAction)
        #expect(error { _ = try state.removeMember(by: admin, target: viewer) } == nil)
        #expect(error { _ = try state.removeMember(by: owner, target: admin) } == nil)
    }

    @Test func aTenantAlwaysKeepsAnOwner() throws {
        var state = tenant()
        #expect(error { _ = try state.setRole(by: owner, target: owner, role: .admin) } == .lastOwner)
        state.apply(.member(try state.setRole(by: owner, target: admin, role: .owner)))
        #expect(error { _ = try state.setRole(by: owner, target: owner, role: .member) } == nil, "another owner exists now")
        #expect(error { _ = try state.setRole(by: admin, target: viewer, role: .member) } == nil)
    }

    @Test func invitationsConflictWithMembersAndPendingOnes() throws {
        var state = tenant()
        #expect(error { _ = try state.invite(by: admin, email: "x@example.com", role: .owner, existingUser: nil, now: now, ttlSeconds: 60) } == .forbiddenAction)
        #expect(error { _ = try state.invite(by: owner, email: "m@example.com", role: .viewer, existingUser: member, now: now, ttlSeconds: 60) } == .alreadyMemberOrInvited)
        let first = try state.invite(by: admin, email: "x@example.com", role: .member, existingUser: nil, now: now, ttlSeconds: 60)
        state.apply(.invitation(first.invitation))
        #expect(error { _ = try state.invite(by: owner, email: "x@example.com", role: .viewer, existingUser: nil, now: now, ttlSeconds: 60) } == .alreadyMemberOrInvited)
        let later = now.adding(seconds: 61)
        let again = try state.invite(by: owner, email: "x@example.com", role: .viewer, existingUser: nil, now: later, ttlSeconds: 60)
        #expect(again.replaces?.id == first.invitation.id, "an expired invitation is replaced")
        #expect(state.pendingInvitations(at: later).isEmpty)
        #expect(error { _ = try state.revoke(by: admin, invitation: first.invitation.id, now: later) } == .invitationNotFound)
    }

    @Test func claimingChecksTheLinkAndEmailAndHoldsTheInvitation() throws {
        var state = tenant()
        let invite = try state.invite(by: owner, email: "new@example.com", role: .member, existingUser: nil, now: now, ttlSeconds: 60).invitation
        #expect(invite.tokenHash == nil, "no link until the mail goes out")
        state.apply(.invitation(invite))
        let newcomer = ID.random()
        let sent = TokenHash(token: "sent")
        #expect(error { _ = try state.claim(invitation: invite.id, token: sent, user: newcomer, email: "new@example.com", now: now) } == .invitationNotFound, "nobody has a link yet")
        state.apply(.invitation(try #require(state.relinked(invitation: invite.id, token: TokenHash(token: "first"), now: now))))
        state.apply(.invitation(try #require(state.relinked(invitation: invite.id, token: sent, now: now))))
        #expect(error { _ = try state.claim(invitation: invite.id, token: TokenHash(token: "first"), user: newcomer, email: "new@example.com", now: now) } == .invitationNotFound, "a replaced link")
        #expect(error { _ = try state.claim(invitation: invite.id, token: sent, user: newcomer, email: "other@example.com", now: now) } == .invitationEmailMismatch)
        let (claimed, membership) = try state.claim(invitation: invite.id, token: sent, user: newcomer, email: "new@example.com", now: now)
        #expect(claimed.id == invite.id)
        #expect(membership.role == .member)
        #expect(error { _ = try state.claim(invitation: invite.id, token: sent, user: newcomer, email: "new@example.com", now: now) } == .invitationNotFound, "a claimed invitation cannot be claimed twice")
        #expect(error { _ = try state.revoke(by: owner, invitation: invite.id, now: now) } == .invitationNotFound)
        #expect(state.relinked(invitation: invite.id, token: TokenHash(token: "late"), now: now) == nil, "no new link while it is being accepted")
        state.releaseClaim(invite.id)
        #expect(error { _ = try state.claim(invitation: invite.id, token: sent, user: newcomer, email: "new@example.com", now: now.adding(seconds: 61)) } == .invitationNotFound, "expired")
        #expect(state.relinked(invitation: invite.id, token: sent, now: now.adding(seconds: 61)) == nil)
    }
}
