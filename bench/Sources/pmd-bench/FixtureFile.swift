import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fixtures kept in a file between runs (`--fixtures FILE`), so that repeated runs against the
/// same pmd — `bench/compare`'s alternating rounds — pay for setup once. The file holds the run ID
/// the users' emails were made from (tenants for saved users are created by logging them in
/// again), their sessions, and the tenant seats.
struct SavedFixtures {
    var runID: String
    var fixtures: Fixtures

    /// What the file holds, or nil when it is missing or not a fixture file.
    static func load(_ path: String) -> SavedFixtures? {
        guard let bytes = readFile(path), let json = try? JSON.parse(bytes),
            let runID = json["runID"]?.stringValue,
            let sessions = json["sessions"]?.arrayValue?.compactMap(\.stringValue),
            let seats = json["tenants"]?.arrayValue
        else { return nil }
        let tenants = seats.compactMap { seat -> Fixtures.TenantSeat? in
            guard let session = seat["session"]?.stringValue, let company = seat["companyId"]?.stringValue else { return nil }
            return Fixtures.TenantSeat(session: session, companyID: company)
        }
        return SavedFixtures(runID: runID, fixtures: Fixtures(sessions: sessions, tenants: tenants))
    }

    func save(to path: String) throws {
        let json: JSON = [
            "runID": .string(runID),
            "sessions": .array(fixtures.sessions.map { .string($0) }),
            "tenants": .array(fixtures.tenants.map { ["session": .string($0.session), "companyId": .string($0.companyID)] }),
        ]
        try writeFile(path, json.serialized)
    }
}

struct FixtureFileError: Error, CustomStringConvertible {
    var description: String
}

private func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
        if count < chunk.count { break }
    }
    return ferror(file) == 0 ? bytes : nil
}

/// Writes beside the target and renames, so an interrupted run never leaves half a file.
private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let temporary = path + ".tmp"
    guard let file = fopen(temporary, "wb") else { throw FixtureFileError(description: "cannot write \(temporary)") }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let closed = fclose(file)
    guard written == bytes.count, closed == 0, rename(temporary, path) == 0 else {
        throw FixtureFileError(description: "cannot write \(path)")
    }
}
