import Actors
import Logging
import ServiceLifecycle

/// Periodically purges expired sessions and reset tokens (`Identity.sweep`), so dead entries do
/// not accumulate in memory or on disk between the rare occasions their owners come back.
struct SweepService: Service {
    let identity: Identity
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
                var purged = 0
                // A full batch means more may be waiting; each batch is its own actor turn, so
                // requests interleave with a large sweep.
                while true {
                    let count = await identity.sweep()
                    purged += count
                    if count < Identity.sweepBatch { break }
                }
                if purged > 0 { logger.info("purged expired sessions and reset tokens", metadata: ["rows": "\(purged)"]) }
            }
        }
    }
}
