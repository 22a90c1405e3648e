import Actors
import Logging
import ServiceLifecycle

/// Runs `pass` every `interval` until graceful shutdown begins (a pass under way finishes).
struct PeriodicService: Service {
    let interval: Duration
    let pass: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await pass()
            }
        }
    }
}

extension PeriodicService {
    /// Purges expired sessions and password resets (`Identity.sweep`) and mail that has aged out
    /// of the sending limits (`MailLimiter.sweep`), so dead entries do not accumulate in memory
    /// or on disk between the rare occasions their owners come back.
    static func sweep(_ identity: Identity, _ limiter: MailLimiter, every interval: Duration, logger: Logger) -> PeriodicService {
        PeriodicService(interval: interval) {
            var purged = 0
            // A full batch means more may be waiting; each batch is its own actor turn, so
            // requests interleave with a large sweep.
            while true {
                let count = await identity.sweep()
                purged += count
                if count < Identity.sweepBatch { break }
            }
            if purged > 0 { logger.info("purged expired sessions and password resets", metadata: ["rows": "\(purged)"]) }
            var aged = 0
            while true {
                let count = limiter.sweep()
                aged += count
                if count < MailLimiter.sweepBatch { break }
            }
            if aged > 0 { logger.debug("pruned mail counts older than the sending limits' windows", metadata: ["rows": "\(aged)"]) }
        }
    }

    /// Re-reads the subscriptions of every tenant with a Stripe customer and repairs drift
    /// (SPEC §6.5, `PMD_RECONCILE_INTERVAL`), so a webhook that never arrived heals by itself.
    static func reconcile(_ sync: StripeSync, every interval: Duration, logger: Logger) -> PeriodicService {
        PeriodicService(interval: interval) {
            let (tenants, failed) = await sync.reconcileAll()
            logger.debug("reconciliation pass", metadata: ["tenants": "\(tenants)", "failed": "\(failed)"])
        }
    }
}
