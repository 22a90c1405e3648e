import Foundation
import Logging
import Persistence
import Synchronization
import Testing
@testable import Actors

/// A Stripe that answers by path, slowly enough for concurrent callers to overlap.
final class RoutedTransport: HTTPTransport {
    private let log = Mutex<[HTTPRequest]>([])
    private let sessions = Atomic<Int>(0)

    var sent: [HTTPRequest] { log.withLock { $0 } }
    func sent(_ method: HTTPRequest.Method, _ path: String) -> [HTTPRequest] {
        sent.filter { $0.method == method && $0.url.hasSuffix(path) }
    }

    func send(_ request: HTTPRequest) async -> HTTPOutcome {
        log.withLock { $0.append(request) }
        try? await Task.sleep(for: .milliseconds(50))
        let path = String(request.url.dropFirst("https://stripe.test".count))
        switch (request.method, path) {
        case (.post, "/v1/customers"):
            return ScriptedTransport.ok(#"{"id":"cus_1"}"#)
        case (.post, "/v1/checkout/sessions"):
            let n = sessions.add(1, ordering: .relaxed).newValue
            return ScriptedTransport.ok(#"{"id":"cs_\#(n)","url":"https://checkout.test/\#(n)"}"#)
        default:
            return ScriptedTransport.error(404, "No such route")
        }
    }
}

/// The Stripe sync actor against a real store and WAL, with Stripe scripted.
@Suite struct StripeSyncTests {
    static let secret = "whsec_unit"

    final class World: Sendable {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmd-stripe-\(UUID().uuidString)").path
        let store: Store
        let wal: WriteAheadLog
        let transport = RoutedTransport()
        let tenant: TenantActor
        let tenantID: ID
        let owner = ID.random()
        let sync: StripeSync
        let plans: PlanCatalog

        init() throws {
            store = try Store(directory: directory, mapSize: 16 << 20, tables: Tables.all)
            wal = try WriteAheadLog(store: store, retain: 1000, logger: Logger(label: "test"))
            wal.start()
            let journal = Journal(wal: wal)
            let now = Timestamp.now()
            var state = TenantState(tenant: Tenant(id: .random(), name: "Acme", createdAt: now, updatedAt: now))
            state.apply(.member(Membership(tenantID: state.tenant.id, userID: owner, role: .owner, joinedAt: now)))
            tenant = TenantActor(state: state, journal: journal)
            tenantID = state.tenant.id
            let directory = Directory(tenants: [tenant], workspaceNames: [], invitationTokens: [:])
            plans = PlanCatalog.upsert(
                existing: [],
                definitions: [PlanDefinition(name: "Solo", priceMonthly: "9.00", priceYearly: nil, stripePriceIDMonthly: "price_solo", stripePriceIDYearly: nil, features: [])],
                now: now
            ).catalog
            let client = StripeClient(
                secretKey: "sk_test", apiBase: "https://stripe.test", transport: transport, logger: Logger(label: "test"),
                sleep: { _ in }, jitter: { 1 })
            sync = StripeSync(
                client: client, directory: directory,
                index: BillingIndex(customers: [:], subscriptions: [:], events: [:], journal: journal), plans: plans,
                journal: journal, webhookSecret: StripeSyncTests.secret, appURL: "https://app.test", logger: Logger(label: "test"))
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        var caller: Caller { Caller(userID: owner, email: "o@example.com", tenantID: tenantID) }

        func record(_ lsn: LSN) async throws -> WALRecord {
            try await wal.waitDurable(lsn)
            return try store.records(from: lsn, limit: 1)[0].1
        }
    }

    @Test func concurrentCheckoutsShareOneCustomerCreation() async throws {
        let world = try World()
        let planID = world.plans.active[0].id.description
        let sessions = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await world.sync.checkout(tenant: world.tenant, caller: world.caller, planID: planID, priceID: "price_solo").value.sessionID
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(sessions.count == 5)
        let creations = world.transport.sent(.post, "/v1/customers")
        #expect(creations.count == 1)
        #expect(creations[0].header("Idempotency-Key") == "pmd-customer-\(world.tenantID)")
        #expect(await world.tenant.stripeCustomer?.stripeID == "cus_1")
        let checkouts = world.transport.sent(.post, "/v1/checkout/sessions")
        #expect(Set(checkouts.compactMap { $0.header("Idempotency-Key") }).count == 5)
        #expect(checkouts.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains("customer=cus_1&") })
    }

    @Test func aWebhookIsOneRecordWithItsEventAndARedeliveryWritesNothing() async throws {
        let world = try World()
        _ = try await world.tenant.recordCustomer("cus_1")
        await world.sync.index.register(customer: "cus_1", tenant: world.tenantID)
        let payload = Array("""
            {"id":"evt_1","type":"customer.subscription.created","created":\(Timestamp.now().unixSeconds),"data":{"object":{
              "id":"sub_1","customer":"cus_1","status":"active","current_period_start":1,"current_period_end":2,
              "items":{"data":[{"price":{"id":"price_solo"}}]}}}}
            """.utf8)
        let now = Timestamp.now()
        let signature = StripeSignature.sign(payload: payload, secret: Self.secret, timestamp: Int(now.unixSeconds))
        let lsn = try await world.sync.webhook(payload: payload, signature: signature)
        let record = try await world.record(lsn)
        #expect(record.kind == "stripe.customer.subscription.created")
        #expect(record.ops.map { if case let .put(table, _, _) = $0 { table } else { "delete" } } == ["subscriptions", "stripe_events"])
        let shown = try await world.tenant.subscription(world.caller).value
        #expect(shown?.status == "active" && shown?.planID == world.plans.active[0].id)

        #expect(try await world.sync.webhook(payload: payload, signature: signature) == lsn)
        #expect(world.wal.lastAssignedLSN == lsn)
        #expect(world.transport.sent.isEmpty)
    }

    @Test func aBadSignatureIsRefusedBeforeAnythingHappens() async throws {
        let world = try World()
        let payload = Array(#"{"id":"evt_1","type":"customer.subscription.created","created":1,"data":{"object":{}}}"#.utf8)
        let forged = StripeSignature.sign(payload: payload, secret: "whsec_other", timestamp: Int(Timestamp.now().unixSeconds))
        await #expect(throws: DomainError.badRequest("Invalid Stripe signature")) {
            try await world.sync.webhook(payload: payload, signature: forged)
        }
        #expect(world.wal.lastAssignedLSN == 0)
    }

    @Test func onlyTheOwnerChecksOutAndUnknownPlansNeverReachStripe() async throws {
        let world = try World()
        let stranger = Caller(userID: .random(), email: "x@example.com", tenantID: world.tenantID)
        await #expect(throws: DomainError.noTenantContext) {
            try await world.sync.checkout(tenant: world.tenant, caller: stranger, planID: world.plans.active[0].id.description, priceID: "price_solo")
        }
        await #expect(throws: DomainError.planNotFound) {
            try await world.sync.checkout(tenant: world.tenant, caller: world.caller, planID: ID.random().description, priceID: "price_solo")
        }
        await #expect(throws: DomainError.noStripeCustomer) {
            try await world.sync.portal(tenant: world.tenant, caller: world.caller)
        }
        #expect(world.transport.sent.isEmpty)
    }
}
