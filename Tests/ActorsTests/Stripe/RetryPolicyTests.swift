import Synchronization
import Testing
@testable import Actors
import Logging

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy.stripe

    @Test func networkErrors429And5xxAndIdempotencyConflictsAreRetried() {
        for outcome: RetryPolicy.Attempt in [
            .transportFailure(transient: true), .response(status: 429, shouldRetry: nil, retryAfterSeconds: nil),
            .response(status: 500, shouldRetry: nil, retryAfterSeconds: nil),
            .response(status: 503, shouldRetry: nil, retryAfterSeconds: nil),
            .response(status: 409, shouldRetry: nil, retryAfterSeconds: nil),
        ] {
            #expect(RetryPolicy.isRetryable(outcome), "\(outcome)")
        }
    }

    @Test func clientErrorsAndPermanentTransportFailuresAreNot() {
        for outcome: RetryPolicy.Attempt in [
            .transportFailure(transient: false), .response(status: 400, shouldRetry: nil, retryAfterSeconds: nil),
            .response(status: 401, shouldRetry: nil, retryAfterSeconds: nil),
            .response(status: 404, shouldRetry: nil, retryAfterSeconds: nil),
        ] {
            #expect(!RetryPolicy.isRetryable(outcome), "\(outcome)")
        }
    }

    @Test func stripeShouldRetryOverridesTheStatus() {
        #expect(!RetryPolicy.isRetryable(.response(status: 500, shouldRetry: false, retryAfterSeconds: nil)))
        #expect(RetryPolicy.isRetryable(.response(status: 400, shouldRetry: true, retryAfterSeconds: nil)))
    }

    @Test func backoffDoublesWithJitterAndStopsAfterFourAttempts() {
        let failure = RetryPolicy.Attempt.response(status: 500, shouldRetry: nil, retryAfterSeconds: nil)
        #expect((1...3).map { policy.delay(after: $0, failure, jitter: 1) } == [.milliseconds(500), .seconds(1), .seconds(2)])
        #expect(policy.delay(after: 2, failure, jitter: 0.5) == .milliseconds(500))
        #expect(policy.delay(after: 4, failure, jitter: 1) == nil)
    }

    @Test func retryAfterIsHonouredUpToTheCap() {
        #expect(policy.delay(after: 1, .response(status: 429, shouldRetry: nil, retryAfterSeconds: 3), jitter: 1) == .seconds(3))
        #expect(policy.delay(after: 1, .response(status: 429, shouldRetry: nil, retryAfterSeconds: 600), jitter: 1) == .seconds(8))
    }
}

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport {
    private let state: Mutex<(script: [HTTPOutcome], sent: [HTTPRequest])>

    init(_ script: [HTTPOutcome]) { state = Mutex((script, [])) }

    var sent: [HTTPRequest] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequest) async -> HTTPOutcome {
        state.withLock { state in
            state.sent.append(request)
            return state.script.isEmpty ? .failed(transient: true, reason: "script exhausted") : state.script.removeFirst()
        }
    }

    static func ok(_ json: String) -> HTTPOutcome { .response(status: 200, headers: [:], body: Array(json.utf8)) }
    static func error(_ status: Int, _ message: String = "boom") -> HTTPOutcome {
        .response(status: status, headers: [:], body: Array(#"{"error":{"type":"api_error","message":"\#(message)"}}"#.utf8))
    }
}

/// The waits a client asked for.
final class Sleeps: Sendable {
    private let waits = Mutex<[Duration]>([])
    func record(_ duration: Duration) { waits.withLock { $0.append(duration) } }
    var all: [Duration] { waits.withLock { $0 } }
}

@Suite struct StripeClientTests {
    func client(_ transport: ScriptedTransport, sleeps: Sleeps = Sleeps()) -> StripeClient {
        StripeClient(
            secretKey: "sk_test_x", apiBase: "https://stripe.test", transport: transport, logger: Logger(label: "test"),
            sleep: { sleeps.record($0) }, jitter: { 1 })
    }

    @Test func aRetriedPostCarriesTheSameIdempotencyKeyAndBody() async throws {
        let transport = ScriptedTransport([.failed(transient: true, reason: "reset"), ScriptedTransport.error(500), ScriptedTransport.ok(#"{"id":"cus_1"}"#)])
        let sleeps = Sleeps()
        let body = try await client(transport, sleeps: sleeps).post("/v1/customers", [("name", "Acme")], idempotencyKey: "pmd-customer-1")
        #expect(String(decoding: body, as: UTF8.self) == #"{"id":"cus_1"}"#)
        let sent = transport.sent
        #expect(sent.count == 3)
        #expect(Set(sent.map { $0.header("Idempotency-Key") }) == ["pmd-customer-1"])
        #expect(Set(sent.map(\.body)) == [Array("name=Acme".utf8)])
        #expect(sleeps.all == [.milliseconds(500), .seconds(1)])
    }

    @Test func everyRequestIsAuthenticatedAndPinnedToAVersion() async throws {
        let transport = ScriptedTransport([ScriptedTransport.ok("{}"), ScriptedTransport.ok("{}")])
        let stripe = client(transport)
        _ = try await stripe.get("/v1/subscriptions", [("customer", "cus_1"), ("status", "all")])
        _ = try await stripe.post("/v1/customers", [], idempotencyKey: "k")
        let (get, post) = (transport.sent[0], transport.sent[1])
        #expect(get.url == "https://stripe.test/v1/subscriptions?customer=cus_1&status=all")
        #expect(get.header("Idempotency-Key") == nil)
        for request in [get, post] {
            #expect(request.header("Authorization") == "Bearer sk_test_x")
            #expect(request.header("Stripe-Version") == StripeClient.apiVersion)
        }
        #expect(post.header("Content-Type") == "application/x-www-form-urlencoded")
    }

    @Test func stripesRefusalIsA400WithItsMessageAndIsNotRetried() async {
        let transport = ScriptedTransport([ScriptedTransport.error(400, "No such price: 'price_x'")])
        let stripe = client(transport)
        await #expect(throws: StripeFailure.rejected(status: 400, message: "No such price: 'price_x'")) {
            try await stripe.post("/v1/checkout/sessions", [], idempotencyKey: "k")
        }
        #expect(transport.sent.count == 1)
        #expect(StripeFailure.rejected(status: 400, message: "m").domainError == .badRequest("Stripe rejected the request: m"))
        #expect(stripe.health == .ok)
    }

    @Test func persistentFailureIsA503AndMarksStripeFailingUntilAnAnswer() async throws {
        let transport = ScriptedTransport(Array(repeating: ScriptedTransport.error(502), count: 4) + [ScriptedTransport.ok("{}")])
        let stripe = client(transport)
        await #expect(throws: StripeFailure.serverError(status: 502, message: "boom")) {
            try await stripe.get("/v1/subscriptions/sub_1")
        }
        #expect(transport.sent.count == 4)
        #expect(stripe.health == .failing)
        #expect(StripeFailure.serverError(status: 502, message: "boom").domainError == .stripeUnavailable)
        _ = try await stripe.get("/v1/subscriptions/sub_1")
        #expect(stripe.health == .ok)
    }

    @Test func aRefusedKeyIsUnavailableNotTheCallersFault() {
        #expect(StripeClient.failure(status: 401, body: Array(#"{"error":{"message":"Invalid API Key"}}"#.utf8)) == .authentication("Invalid API Key"))
        #expect(StripeFailure.authentication("x").domainError == .stripeUnavailable)
        #expect(StripeClient.failure(status: 500, body: Array("<html>".utf8)) == .serverError(status: 500, message: "HTTP 500"))
    }
}
