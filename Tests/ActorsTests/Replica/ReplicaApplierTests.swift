import Foundation
import Logging
import NIOCore
import NIOPosix
import Persistence
import Testing
@testable import Actors

/// A standby's memory, kept current from the log alone, must equal the primary's memory after the
/// same records (SPEC §10: promotion needs no recovery).
@Suite struct ReplicaApplierTests {
    /// One node's domain on its own store and log.
    struct Node {
        let log: TemporaryJournal
        let identity: Identity
        let directory: Directory
        let billing: BillingIndex
        let tenancy: Tenancy
        let limiter: MailLimiter

        init(_ name: String, loop: any EventLoop) throws {
            log = try TemporaryJournal(name)
            let mailer = Mailer(
                undelivered: [], relay: nil, relayName: "none", sender: MailTestSupport.sender, appURL: "https://app.test",
                journal: log.journal, logger: Logger(label: "test"))
            limiter = MailLimiter(sends: [], journal: log.journal)
            identity = Identity(
                state: IdentityState(), journal: log.journal, passwords: PasswordService(n: 16, threads: 1), mailer: mailer,
                limiter: limiter, settings: .init(sessionTTL: 3600, resetTTL: 3600), loop: loop)
            let loaded = try TenancyLoader.load(from: log.store, journal: log.journal, loop: loop)
            directory = loaded.directory
            billing = loaded.billing
            tenancy = Tenancy(
                identity: identity, directory: directory, journal: log.journal, mailer: mailer, limiter: limiter,
                inviteTTLSeconds: 3600)
        }
    }

    /// What a node holds in memory, in a comparable shape.
    struct Picture: Equatable {
        var users: [User] = []
        var sessions: [Session] = []
        var resets: [PasswordReset] = []
        var quota = 0
        var memberships: [ID: Set<ID>] = [:]
        var tenants: [String] = []
        var invitationTenants: [ID: ID] = [:]

        init(_ node: Node) async {
            let state = await node.identity.state
            users = state.users.values.sorted { $0.id.description < $1.id.description }
            sessions = state.sessions.values.sorted { $0.createdAt.milliseconds < $1.createdAt.milliseconds }
            resets = state.resets.values.sorted { $0.requestedAt.milliseconds < $1.requestedAt.milliseconds }
            quota = node.limiter.count
            for user in users { memberships[user.id] = state.tenants(of: user.id) }
            for tenantID in memberships.values.flatMap({ $0 }).sorted(by: { $0.description < $1.description }) {
                guard let actor = node.directory.tenant(tenantID) else { continue }
                let tenant = await actor.state
                tenants.append(
                    "\(tenant.tenant) \(tenant.companies) \(tenant.members.sorted { $0.userID.description < $1.userID.description }) "
                        + "\(tenant.invitations.sorted { $0.id.description < $1.id.description })")
                for invitation in tenant.invitations {
                    guard let hash = invitation.tokenHash else { continue }
                    invitationTenants[invitation.id] = await node.directory.invitation(for: hash)?.tenant
                }
            }
            tenants = Array(Set(tenants)).sorted()
        }
    }

    @Test func aStandbyFedTheLogHoldsWhatThePrimaryHolds() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let primary = try Node("primary", loop: loop)
        let standby = try Node("standby", loop: loop)

        // Work on the primary touching every kind of row the applier routes.
        var tokens: [String] = []
        for name in ["ada", "bob", "cy"] {
            _ = try await primary.identity.signup(SignupInput.validate(email: "\(name)@example.com", password: "correct horse", name: name))
            tokens.append(try await primary.identity.login(email: "\(name)@example.com", password: "correct horse").value.token)
        }
        _ = try await primary.identity.update(tokens[0], ProfilePatch.validate(name: "Ada L.", theme: "dark"))
        let created = try await primary.tenancy.createTenant(tokens[0], tenantName: "Agency", companyName: "Client One").value
        let second = try await primary.tenancy.createCompany(tokens[0], name: "Client Two").value
        let (actor, caller) = try await primary.tenancy.context(tokens[0])
        _ = try await actor.updateCompany(caller, id: second.id, patch: CompanyPatch.validate(name: "Client 2", logoUrl: nil))
        _ = try await actor.archiveCompany(caller, id: created.company.id)
        let bobInvite = try await primary.tenancy.invite(tokens[0], email: "bob@example.com", role: .admin).value
        // The mailer mints links as it delivers: each commits a token hash (twice here: the
        // second replaces the first, which must stop working on the standby too).
        _ = await primary.tenancy.mintInvitationLink(tenant: created.tenant.id, invitation: bobInvite.id)
        _ = await primary.tenancy.mintInvitationLink(tenant: created.tenant.id, invitation: bobInvite.id)
        let revoked = try await primary.tenancy.invite(tokens[0], email: "dee@example.com", role: .viewer).value
        _ = try await primary.tenancy.revoke(tokens[0], invitationID: revoked.id)
        _ = try await primary.tenancy.createTenant(tokens[2], tenantName: "Other", companyName: "Client One")
        _ = try await primary.identity.forgotPassword(email: "cy@example.com")
        let cy = try #require(await primary.identity.state.user(email: "cy@example.com"))
        _ = await primary.identity.mintResetLink(user: cy.id)
        _ = try await primary.identity.logout(tokens[1])
        try await primary.log.wal.waitDurable(primary.log.wal.lastAssignedLSN)

        // The standby receives the same records through its own log, then applies them.
        let records = try primary.log.store.records(from: 1, limit: 10_000)
        for (lsn, record) in records { try standby.log.wal.appendReplicated(lsn, record) }
        try await standby.log.wal.waitDurable(records.last!.0)
        let applier = ReplicaApplier(
            identity: standby.identity, directory: standby.directory, billing: standby.billing, limiter: standby.limiter,
            journal: standby.log.journal, outbox: [], invitationTenants: [:], appliedLSN: 0, logger: Logger(label: "test"))
        // In two batches, the second repeating part of the first: each record applies once.
        await applier.apply(Array(records.prefix(7)))
        await applier.apply(Array(records.dropFirst(4)))

        let (want, got) = (await Picture(primary), await Picture(standby))
        #expect(got == want)
        #expect(!want.tenants.isEmpty && want.invitationTenants.count == 1 && want.resets.first?.tokenHash != nil && want.quota == 3)
        #expect(await standby.directory.tokenCount == 1, "the replaced invitation link is forgotten")
        #expect(await applier.appliedLSN == records.last!.0)
        #expect(await applier.undeliveredMail.count == 3, "with no relay, both invitations and Cy's reset link are still in the outbox")
        #expect(standby.directory.tenantCount == primary.directory.tenantCount)

        await primary.log.wal.close()
        await standby.log.wal.close()
        try await group.shutdownGracefully()
    }
}
