import Logging
import Persistence

/// The Stripe sync actor (SPEC §1): every call to Stripe and every webhook goes through it.
/// Tenant state stays with the tenant actors; this actor decides what to ask Stripe and hands
/// Stripe's answers to the tenant that owns them. It holds no blocking work: HTTP runs on the
/// transport's thread pool and this actor only awaits it, so other callers interleave.
///
/// The flows are split by concern over `StripeSync+….swift` files that share the state below.
public actor StripeSync {
    public struct CheckoutSession: Sendable, Equatable {
        public let sessionID: String
        public let url: String
    }

    let client: StripeClient
    let directory: Directory
    let index: BillingIndex
    let plans: PlanCatalog
    let journal: Journal
    let webhookSecret: String
    /// `PMD_APP_URL`: base of the Checkout and portal return URLs.
    let appURL: String
    let logger: Logger
    /// Customer creations under way, by tenant: concurrent checkouts of one tenant share one.
    var customerCreations: [ID: Task<BillingCustomer, any Error>] = [:]
    /// Events being handled, by event id: a redelivery that arrives meanwhile waits for the
    /// same outcome instead of handling the event twice.
    var eventsInFlight: [String: Task<LSN, any Error>] = [:]

    public init(
        client: StripeClient, directory: Directory, index: BillingIndex, plans: PlanCatalog, journal: Journal,
        webhookSecret: String, appURL: String, logger: Logger
    ) {
        self.client = client
        self.directory = directory
        self.index = index
        self.plans = plans
        self.journal = journal
        self.webhookSecret = webhookSecret
        self.appURL = appURL
        self.logger = logger
    }

    /// `system.health`'s `stripe`: `ok` or `failing`.
    public nonisolated var status: String { client.health.rawValue }

    // MARK: - Shared helpers

    /// The plan a subscription is on: by its price (SPEC §6.5), else by the plan id pmd put in
    /// its metadata at checkout.
    func planID(for snapshot: SubscriptionSnapshot) -> ID? {
        if let price = snapshot.priceID, let plan = plans.plan(forPrice: price) { return plan.id }
        return snapshot.metadata["planId"].flatMap(ID.init).flatMap { plans.plan($0)?.id }
    }

    func durable(_ lsn: LSN) async throws(DomainError) {
        do {
            try await journal.wal.waitDurable(lsn)
        } catch {
            throw .storageUnavailable
        }
    }

    /// The result of a shared task, with its failure as the domain error it was thrown as.
    func join<T: Sendable>(_ task: Task<T, any Error>) async throws(DomainError) -> T {
        switch await task.result {
        case let .success(value): return value
        case let .failure(error as DomainError): throw error
        case let .failure(error):
            logger.error("billing task failed", metadata: ["error": "\(error)"])
            throw .internalError
        }
    }

    /// Reads one subscription from Stripe; also returns when the read started, which is the
    /// Stripe time its answer is current at.
    func fetchSubscription(_ stripeID: String) async throws(DomainError) -> (SubscriptionSnapshot, Int64) {
        let started = Timestamp.now().unixSeconds
        let body: [UInt8]
        do {
            body = try await client.get("/v1/subscriptions/\(FormEncoding.escape(stripeID))")
        } catch {
            throw error.domainError
        }
        do {
            return (try StripeObjects.decode(StripeObjects.Subscription.self, body).snapshot, started)
        } catch {
            throw error.domainError
        }
    }
}
