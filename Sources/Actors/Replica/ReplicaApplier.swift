import Logging
import Persistence

/// Keeps a standby's memory in step with the log it receives (SPEC §10: "keep their in-memory
/// state current so that a promotion needs no recovery").
///
/// Records arrive as row after-images; each op is routed to the part of memory that owns the row,
/// the way start-up loading routes rows (`IdentityState.load`, `TenancyLoader`): identity's users,
/// sessions, reset tokens and membership index; each tenant's actor; the directory's workspace
/// names, invitation tokens and tenant actors; billing's Stripe indexes; the mail limits; and the
/// outbox, which the mailer takes over on promotion. A batch is split by owner first, so each owner is visited
/// once per batch, in log order for its own rows. Nothing here appends to the log: a standby
/// writes only what the primary sent.
public actor ReplicaApplier {
    private let identity: Identity
    private let directory: Directory
    private let billing: BillingIndex
    private let limiter: MailLimiter
    private let journal: Journal
    private let logger: Logger
    /// Undelivered mail as the log has it (the primary's outbox), for the mailer on promotion.
    private var outbox: [ID: OutboxEntry]
    /// The newest LSN applied.
    public private(set) var appliedLSN: LSN
    private var invitationTenants: [ID: ID]

    public init(
        identity: Identity, directory: Directory, billing: BillingIndex, limiter: MailLimiter, journal: Journal, outbox: [OutboxEntry],
        invitationTenants: [ID: ID], appliedLSN: LSN, logger: Logger
    ) {
        self.invitationTenants = invitationTenants
        self.identity = identity
        self.directory = directory
        self.billing = billing
        self.limiter = limiter
        self.journal = journal
        self.outbox = Dictionary(outbox.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.appliedLSN = appliedLSN
        self.logger = logger
    }

    /// The outbox as of `appliedLSN`, oldest first.
    public var undeliveredMail: [OutboxEntry] {
        outbox.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Applies committed records, in LSN order, once each.
    public func apply(_ records: [(LSN, WALRecord)]) async {
        var plan = ReplicaPlan(invitationTenants: invitationTenants)
        for (lsn, record) in records where lsn > appliedLSN {
            for op in record.ops {
                do {
                    try plan.route(op, at: lsn)
                } catch {
                    logger.error("a replicated row could not be read; memory may differ from the log until restart",
                                 metadata: ["lsn": "\(lsn)", "error": "\(error)"])
                }
            }
            appliedLSN = lsn
        }
        invitationTenants = plan.invitationTenants
        if !plan.identity.isEmpty { await identity.applyReplicated(plan.identity) }
        for tenant in plan.newTenants {
            directory.install(TenantActor(state: TenantState(tenant: tenant.value), journal: journal, loop: identity.loop))
        }
        for (tenantID, changes) in plan.tenants {
            guard let actor = directory.tenant(tenantID) else {
                logger.error("replicated rows of an unknown tenant", metadata: ["tenant": "\(tenantID)"])
                continue
            }
            await actor.applyReplicated(changes)
        }
        if !plan.directory.isEmpty { await directory.applyReplicated(plan.directory) }
        if !plan.billing.isEmpty { await billing.applyReplicated(plan.billing) }
        for change in plan.quota {
            switch change {
            case let .send(send): limiter.adopt(send)
            case let .forget(id): limiter.forget(id)
            }
        }
        for change in plan.outbox {
            switch change {
            case let .put(entry): outbox[entry.id] = entry
            case let .delete(id): outbox[id] = nil
            }
        }
    }
}
