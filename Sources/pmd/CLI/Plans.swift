import ArgumentParser
import Actors
import Logging
import Persistence

struct Plans: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the plan catalog.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upsert the plan catalog (PMD_PLANS_FILE, or the built-in one) into PMD_DATA_DIR by name.",
            discussion: """
                Plans keep their ids; plans no longer in the catalog are retired (kept, not listed, not sold). \
                Running it again changes nothing. pmd serve does the same at start, so this is for preparing a \
                data directory; it refuses to run while a pmd is serving the directory.
                """)

        func run() async throws {
            let config = try loadConfig()
            let definitions: [PlanDefinition]
            switch config.planDefinitions() {
            case let .success(found): definitions = found
            case let .failure(errors):
                for line in errors.lines { printError(String(line.dropFirst("pmd: ".count))) }
                throw ExitCode(ConfigErrors.exitStatus)
            }
            do {
                let store = try Store(directory: config.dataDir, mapSize: config.mapSize, tables: Tables.all)
                let wal = try WriteAheadLog(store: store, retain: config.walRetain, logger: Logger(label: "pmd"))
                wal.start()
                let (catalog, changed) = try await PlanSeeding.seed(store: store, journal: Journal(wal: wal), definitions: definitions)
                await wal.close()
                let changedIDs = Set(changed.map(\.id))
                for plan in catalog.plans {
                    let state = plan.isActive ? "active" : "retired"
                    print("\(plan.id)  \(plan.name)  \(state)\(changedIDs.contains(plan.id) ? "  (updated)" : "")")
                }
                print("pmd: plans: \(changed.count) of \(catalog.plans.count) changed in \(config.dataDir)")
            } catch {
                printError("plans seed: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
