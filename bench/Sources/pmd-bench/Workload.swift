import Protocol

/// A kind of load (SPEC §9): what each request is.
enum WorkloadKind: String, CaseIterable, Sendable {
    /// `users.me`
    case read
    /// `users.update` of a name or a preference
    case write
    /// 90% `read`, 10% `write`
    case mixed
    /// `companies.update` over many tenants (SPEC §6.3)
    case tenantWrite = "tenant-write"
    /// Against Redis, for the replicated comparison (issue 18): `SET` of a 256-byte value, then
    /// `WAIT 1 0` (answered once a replica has it), pipelined as one request.
    case redisSetWait = "redis-set-wait"
    /// Against Redis: `SET` alone.
    case redisSet = "redis-set"
    /// Against Redis: `GET` of a key `redis-set` wrote (answered in two lines: length, value).
    case redisGet = "redis-get"

    var needsTenants: Bool { self == .tenantWrite }
    /// Spoken to Redis (RESP), not to pmd: no setup, no ids, replies counted by line.
    var isRedis: Bool { self == .redisSetWait || self == .redisSet || self == .redisGet }
}

/// One measured run: a kind of load at a pipeline depth.
struct Workload: Sendable, CustomStringConvertible {
    var kind: WorkloadKind
    /// Requests each connection keeps in flight (1 = wait for each response before the next).
    var depth: Int

    var description: String { depth == 1 ? kind.rawValue : "\(kind.rawValue) (pipeline \(depth))" }
}

/// The sessions and tenants that setup created, from which request lines are pre-encoded.
struct Fixtures: Sendable {
    struct TenantSeat: Sendable {
        var session: String
        var companyID: String
    }

    var sessions: [String]
    var tenants: [TenantSeat]
}

/// The pre-encoded requests one connection sends during a workload (see `Wire.template`).
struct RequestPlan: Sendable {
    var reads: [[UInt8]]
    var writes: [[UInt8]]
    /// Share of writes, 0...100.
    var writePercent: Int
    /// Reply lines that answer one request (Redis: one per command in it); pmd: 1.
    var linesPerRequest = 1
    /// Requests are sent as they are (Redis), not completed with an id (pmd).
    var raw = false

    /// Connection `index` of `count` serves every `count`-th user (and tenant), so the load is
    /// spread over all of them; with fewer tenants than connections, tenants are shared.
    static func make(kind: WorkloadKind, connection index: Int, of count: Int, fixtures: Fixtures) -> RequestPlan {
        switch kind {
        case .read:
            return RequestPlan(reads: readLines(share(fixtures.sessions, index, count)), writes: [], writePercent: 0)
        case .write:
            return RequestPlan(reads: [], writes: writeLines(share(fixtures.sessions, index, count)), writePercent: 100)
        case .mixed:
            let sessions = share(fixtures.sessions, index, count)
            return RequestPlan(reads: readLines(sessions), writes: writeLines(sessions), writePercent: 10)
        case .tenantWrite:
            return RequestPlan(reads: [], writes: companyLines(share(fixtures.tenants, index, count)), writePercent: 100)
        case .redisSetWait, .redisSet:
            let keys = share(Array(0..<max(fixtures.sessions.count, count)), index, count)
            let wait = kind == .redisSetWait
            return RequestPlan(
                reads: [], writes: keys.map { redisCommands(key: "user:\($0)", wait: wait) }, writePercent: 100,
                linesPerRequest: wait ? 2 : 1, raw: true)
        case .redisGet:
            let keys = share(Array(0..<max(fixtures.sessions.count, count)), index, count)
            return RequestPlan(
                reads: keys.map { Array(redisCommand(["GET", "user:\($0)"]).utf8) }, writes: [], writePercent: 0,
                linesPerRequest: 2, raw: true)
        }
    }

    private static func redisCommand(_ parts: [String]) -> String {
        "*\(parts.count)\r\n" + parts.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
    }

    /// `SET user:N <256 bytes>` (about one user row), and `WAIT 1 0` after it.
    private static func redisCommands(key: String, wait: Bool) -> [UInt8] {
        let value = String(repeating: "x", count: 256)
        return Array((redisCommand(["SET", key, value]) + (wait ? redisCommand(["WAIT", "1", "0"]) : "")).utf8)
    }

    private static func share<T>(_ items: [T], _ index: Int, _ count: Int) -> [T] {
        precondition(!items.isEmpty, "setup created nothing to send requests for")
        if items.count <= index { return [items[index % items.count]] }
        return stride(from: index, to: items.count, by: count).map { items[$0] }
    }

    private static func readLines(_ sessions: [String]) -> [[UInt8]] {
        sessions.map { Wire.template(method: "users.me", params: ["session": .string($0)]) }
    }

    /// Each variant changes something, so every request is a real write; variants are the outer
    /// loop, so consecutive writes of one connection go to different users where it has several.
    private static let profileChanges: [JSONObject] = [
        ["name": "Bench User A"], ["theme": "dark"], ["name": "Bench User B"], ["theme": "light"],
    ]

    private static func writeLines(_ sessions: [String]) -> [[UInt8]] {
        profileChanges.flatMap { change in
            sessions.map { session in
                var params: JSONObject = ["session": .string(session)]
                for (key, value) in change { params[key] = value }
                return Wire.template(method: "users.update", params: params)
            }
        }
    }

    private static func companyLines(_ seats: [Fixtures.TenantSeat]) -> [[UInt8]] {
        ["Bench Company A", "Bench Company B"].flatMap { name in
            seats.map { seat in
                Wire.template(
                    method: "companies.update",
                    params: ["session": .string(seat.session), "companyId": .string(seat.companyID), "name": .string(name)])
            }
        }
    }
}
