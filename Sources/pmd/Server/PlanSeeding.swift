import Actors
import Persistence

/// Upserts the configured catalog into the `plans` table (SPEC §6.5): at start, and by
/// `pmd plans seed`. The changed rows go into one WAL record, written only when something
/// changed, so seeding the same catalog again writes nothing.
enum PlanSeeding {
    /// - Parameter write: false computes the catalog without writing (a cluster node that is not
    ///   primary; plan ids come from names, so it is the catalog the primary writes).
    static func seed(
        store: Store, journal: Journal, definitions: [PlanDefinition], now: Timestamp = .now(), write: Bool = true
    ) async throws -> (catalog: PlanCatalog, changed: [Plan]) {
        let (catalog, changed) = PlanCatalog.upsert(existing: try Plan.loadAll(from: store), definitions: definitions, now: now)
        if write, !changed.isEmpty {
            let lsn = try journal.append("plans.seeded", at: now, PlanCatalog.ops(changed))
            try await journal.wal.waitDurable(lsn)
        }
        return (catalog, changed)
    }
}
