import Hummingbird
import Logging
import NIOCore
import Protocol

/// The HTTP side (SPEC §7): health and metrics (and, with billing, Stripe webhooks).
enum HTTPListener {
    static func make(
        runtime: Runtime, metrics: PMDMetrics, host: String, port: Int, group: any EventLoopGroup, logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void
    ) -> some ApplicationProtocol {
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
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "pmd"),
            onServerRunning: { channel in onBound(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
    }

    static func json(_ value: JSON, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized)))
    }
}
