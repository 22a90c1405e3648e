import Actors
import ServiceLifecycle

/// Runs the mailer as a service. On graceful shutdown it stops after the delivery in progress
/// (which is aborted if it would take longer); undelivered mail stays in the outbox.
struct MailService: Service {
    let mailer: Mailer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await mailer.run()
        }
    }
}
