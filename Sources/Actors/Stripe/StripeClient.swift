import Foundation
import Logging
import Synchronization

/// Stripe's REST API as pmd uses it: form-encoded bodies, `Authorization: Bearer`, a pinned
/// `Stripe-Version`, an `Idempotency-Key` on every POST (the same one on every retry of that
/// POST), timeouts, and retries with backoff and jitter (`RetryPolicy`). Only the Stripe sync
/// actor calls it.
public final class StripeClient: Sendable {
    /// The API version pmd's parsing was written against. Pinned so that a change of the
    /// account's default version cannot change the shapes pmd reads.
    public static let apiVersion = "2024-06-20"

    /// `system.health`'s `stripe`: failing from a call that failed for Stripe's (or the key's)
    /// fault until the next call that got an answer.
    public enum Health: String, Sendable {
        case ok, failing
    }

    private let secretKey: String
    private let apiBase: String
    private let transport: any HTTPTransport
    private let policy: RetryPolicy
    private let logger: Logger
    private let sleep: @Sendable (Duration) async -> Void
    private let jitter: @Sendable () -> Double
    private let published = Mutex(Health.ok)

    public init(
        secretKey: String, apiBase: String, transport: any HTTPTransport, policy: RetryPolicy = .stripe, logger: Logger,
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) },
        jitter: @escaping @Sendable () -> Double = { .random(in: Backoff.jitterRange) }
    ) {
        self.secretKey = secretKey
        self.apiBase = apiBase
        self.transport = transport
        self.policy = policy
        self.logger = logger
        self.sleep = sleep
        self.jitter = jitter
    }

    public var health: Health { published.withLock { $0 } }

    /// A POST; `idempotencyKey` makes a retried or repeated request do its work once at Stripe.
    public func post(_ path: String, _ fields: [(String, FormValue)], idempotencyKey: String) async throws(StripeFailure) -> [UInt8] {
        try await send(
            HTTPRequest(
                method: .post, url: apiBase + path,
                headers: headers() + [
                    ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", idempotencyKey),
                ],
                body: Array(FormEncoding.encode(fields).utf8)))
    }

    public func get(_ path: String, _ query: [(String, FormValue)] = []) async throws(StripeFailure) -> [UInt8] {
        let encoded = FormEncoding.encode(query)
        return try await send(HTTPRequest(method: .get, url: apiBase + path + (encoded.isEmpty ? "" : "?" + encoded), headers: headers()))
    }

    private func headers() -> [(String, String)] {
        [
            ("Authorization", "Bearer \(secretKey)"), ("Stripe-Version", Self.apiVersion), ("Accept", "application/json"),
            ("User-Agent", "pmd"),
        ]
    }

    private func send(_ request: HTTPRequest) async throws(StripeFailure) -> [UInt8] {
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await transport.send(request)
            let retryView: RetryPolicy.Attempt
            let failure: StripeFailure
            switch outcome {
            case let .response(status, headers, body):
                if (200..<300).contains(status) {
                    published.withLock { $0 = .ok }
                    return body
                }
                retryView = .response(
                    status: status, shouldRetry: headers["stripe-should-retry"].map { $0 == "true" },
                    retryAfterSeconds: headers["retry-after"].flatMap { Int($0) })
                failure = Self.failure(status: status, body: body)
                logger.warning(
                    "Stripe answered \(status)",
                    metadata: [
                        "path": "\(Self.path(of: request.url))", "attempt": "\(attempt)", "requestId": "\(headers["request-id"] ?? "-")",
                        "error": "\(failure)",
                    ])
            case let .failed(transient, reason):
                retryView = .transportFailure(transient: transient)
                failure = .unreachable(reason)
                logger.warning(
                    "Stripe unreachable", metadata: ["path": "\(Self.path(of: request.url))", "attempt": "\(attempt)", "reason": "\(reason)"])
            }
            guard let wait = policy.delay(after: attempt, retryView, jitter: jitter()), !Task.isCancelled else {
                published.withLock { $0 = failure.meansFailing ? .failing : .ok }
                throw failure
            }
            await sleep(wait)
        }
    }

    /// Stripe's error object (`{"error":{"message":…}}`) as a failure of the right kind.
    static func failure(status: Int, body: [UInt8]) -> StripeFailure {
        struct Envelope: Decodable {
            struct Inner: Decodable { let message: String? }
            let error: Inner
        }
        let message = (try? JSONDecoder().decode(Envelope.self, from: Data(body)))?.error.message ?? "HTTP \(status)"
        switch status {
        case 401, 403: return .authentication(message)
        case 409, 429, 500...: return .serverError(status: status, message: message)
        default: return .rejected(status: status, message: message)
        }
    }

    /// The URL's path, for logs (the query may hold customer ids, never secrets, but is noise).
    private static func path(of url: String) -> Substring {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let path = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        return path.split(separator: "?", maxSplits: 1).first ?? path
    }
}
