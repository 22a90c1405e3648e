import ArgumentParser
import Actors
import Foundation
import Persistence

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent, compacted copy of PMD_DATA_DIR to DEST (safe while pmd runs).",
        discussion: "DEST must not exist or be an empty directory. The copy's files are readable by their owner only (0600). "
            + "Start pmd on the copy with PMD_DATA_DIR=DEST.")

    @Argument(help: "Destination directory")
    var destination: String

    func run() async throws {
        let config = try loadConfig()
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            guard (try? fm.contentsOfDirectory(atPath: destination))?.isEmpty == true else {
                printError("backup: \(destination) exists and is not an empty directory")
                throw ExitCode(1)
            }
        } else {
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        do {
            // Read transactions of its own: LMDB copies consistent snapshots while the server
            // keeps committing (`Store.copy`).
            let store = try Store(directory: config.dataDir, mapSize: config.mapSize, tables: Tables.all, readOnly: true)
            let lsn = try store.copy(to: destination)
            let size = ["/data.mdb", "/tables/data.mdb"].reduce(0) { total, file in
                total + ((try? fm.attributesOfItem(atPath: destination + file)[.size] as? Int) ?? 0)
            }
            print("pmd: backup of \(config.dataDir) at LSN \(lsn) written to \(destination) (\(size) bytes)")
        } catch {
            printError("backup: \(error)")
            throw ExitCode(1)
        }
    }
}
