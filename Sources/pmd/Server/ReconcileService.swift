import Actors
import Logging
import ServiceLifecycle

/// Every `PMD_RECONCILE_INTERVAL`, re-reads the subscriptions of every tenant with a Stripe
/// customer and repairs drift (SPEC §6.5), so a webhook that never arrived heals by itself.
struct ReconcileService: Service {
    let sync: StripeSync
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                let (tenants, failed) = await sync.reconcileAll()
                logger.debug("reconciliation pass", metadata: ["tenants": "\(tenants)", "failed": "\(failed)"])
            }
        }
    }
}
