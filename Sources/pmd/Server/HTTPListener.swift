import Actors
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import Persistence
import Protocol

/// The HTTP side (SPEC §7): health, metrics and Stripe webhooks.
enum HTTPListener {
    /// Stripe's event bodies are a few KiB; this bound keeps a stranger from making pmd buffer more.
    static let maxWebhookBody = 1 << 20

    static func make(
        runtime: Runtime, metrics: PMDMetrics, billing: Billing, host: String, port: Int,
        maxConnections: Int, idleTimeout: Duration?, tls: TLSConfiguration?, group: any EventLoopGroup, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/health") { _, _ -> Response in
            let health = runtime.health()
            let failing = health["status"]?.stringValue == "failing"
            return json(health, status: failing ? .serviceUnavailable : .ok)
        }
        router.get("/metrics") { _, _ -> Response in
            await metrics.refresh(runtime: runtime)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.post("/api/webhooks/stripe") { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: maxWebhookBody)
            } catch is NIOTooManyBytesError {
                return json(["error": "Request body too large"], status: .contentTooLarge)
            }
            // Anything else thrown is the body's framing (a malformed chunk: HTTPParserError),
            // which Hummingbird answers with 400 and a closed connection, or a client gone.
            let signature = request.headers.first { $0.name.canonicalName == "stripe-signature" }?.value ?? ""
            // Cluster mode: only the primary takes webhooks; Stripe retries any non-2xx answer.
            if let cluster = runtime.cluster, !cluster.role.serving {
                return json(["error": .string(DomainError.Message.notPrimary)], status: .serviceUnavailable)
            }
            do {
                let fence = try await billing.webhook(payload: Array(body.readableBytesView), signature: signature)
                // Stripe redelivers until it hears 2xx, so 2xx must mean "on disk".
                try await runtime.wal.waitDurable(fence)
                return json(["received": true], status: .ok)
            } catch let error as DomainError {
                return json(["error": .string(error.message)], status: error.code == 421 ? .serviceUnavailable : .init(code: error.code))
            } catch let failure as WriteAheadLog.Failure {
                return json(["error": .string(DomainError(refusal: failure).message)], status: .serviceUnavailable)
            } catch {
                return json(["error": .string(DomainError.Message.storageUnavailable)], status: .serviceUnavailable)
            }
        }
        let counter = HTTPConnectionCounter(open: runtime)
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [counter.handler()],
                idleTimeout: idleTimeout.map { .nanoseconds(Int64($0 / .nanoseconds(1))) }))
        return Application(
            router: router,
            // Hummingbird's accept path already pauses on a failing accept; at the limit it stops
            // accepting, so further connections wait in the backlog. With TLS, NIOSSL's handler
            // goes first in every connection, before HTTP.
            server: try tls.map { try .tls(http1, tlsConfiguration: $0) } ?? http1,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "pmd",
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    /// Counts the HTTP listener's open connections into `Runtime.httpConnections`.
    struct HTTPConnectionCounter: Sendable {
        let open: Runtime

        func handler() -> any RemovableChannelHandler { Handler(runtime: open) }

        final class Handler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
            typealias InboundIn = Never
            let runtime: Runtime
            init(runtime: Runtime) { self.runtime = runtime }
            func handlerAdded(context: ChannelHandlerContext) { runtime.httpConnections.add(1, ordering: .relaxed) }
            func handlerRemoved(context: ChannelHandlerContext) { runtime.httpConnections.subtract(1, ordering: .relaxed) }
        }
    }

    static func json(_ value: JSON, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized)))
    }
}
