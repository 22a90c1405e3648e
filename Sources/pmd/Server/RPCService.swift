import Logging
import Protocol
import ServiceLifecycle

/// Runs the JSON-RPC listener as a service. On graceful shutdown it stops accepting, lets each
/// connection finish the requests it has read and write their responses, and after the grace
/// period closes whatever is still open.
struct RPCService: Service {
    let server: RPCServer
    let grace: Duration
    let logger: Logger

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            logger.info("shutting down: no new connections, draining open ones")
            server.stopAccepting()
            let server = self.server
            let grace = self.grace
            Task {
                try? await Task.sleep(for: grace)
                server.closeAll()
            }
        }
    }
}
