import ArgumentParser
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `pmd-bench`: drives a running pmd over TCP with many connections and prints throughput,
/// latency percentiles, errors and pmd's commit batching per workload (SPEC §9).
@main
struct PMDBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmd-bench",
        abstract: "Load-test a running pmd over its JSON-RPC listener.",
        discussion: """
            Setup (signups, logins, tenants) is not timed, but each signup and login runs scrypt: start pmd \
            with a low PMD_SCRYPT_N (e.g. 1024) for benchmarks, or setup takes long. Workloads: read \
            (users.me), write (users.update), mixed (90% read, 10% write), tenant-write (companies.update \
            over --tenants tenants; skipped when pmd has no tenants.create). Each runs without pipelining \
            and with --pipeline requests in flight per connection. Exits 1 if any request failed.
            """)

    @Option(help: "host:port of pmd's JSON-RPC listener (default: PMD_RPC_ADDR or 127.0.0.1:7420)")
    var addr: String?

    @Option(help: "PMD_RPC_KEY of that pmd, if it has one (default: PMD_RPC_KEY)")
    var key: String?

    @Option(help: "Concurrent connections")
    var connections = 50

    @Option(help: "Users (each with a session) the connections spread their requests over; at least --connections")
    var users = 200

    @Option(help: "Tenants for tenant-write")
    var tenants = 10

    @Option(help: "Measured seconds per workload")
    var duration = 10.0

    @Option(help: "Unmeasured seconds of load before each workload's measurement")
    var warmup = 2.0

    @Option(help: "Comma-separated workloads: read, write, mixed, tenant-write; or, against Redis (--addr is Redis'), redis-set, redis-get, redis-set-wait")
    var workloads = "read,write,mixed,tenant-write"

    @Option(help: "Requests in flight per connection in the pipelined runs (1: no pipelined runs)")
    var pipeline = 16

    @Flag(help: "Run only the pipelined variant of each workload")
    var pipelinedOnly = false

    @Option(help: "How the connections are served: nio (event loops, see --event-loops), threads (one blocking thread each) or epoll (one thread, a bare epoll loop: the lightest)")
    var client: TransportKind = .epoll

    @Option(help: "Event-loop threads for --client nio")
    var eventLoops = 1

    @Option(help: "Connections used for setup")
    var setupConnections = 8

    @Option(help: "Keep the users, sessions and tenants setup made in this file, and reuse them on later runs against the same pmd when they are enough and still valid")
    var fixtures: String?

    @Flag(help: "Only set up (and save to --fixtures): no workload is run")
    var setupOnly = false

    @Option(help: "pmd's process id, to report the CPU it used (Linux /proc)")
    var serverPid: Int32?

    @Flag(help: "Print the report as JSON on stdout")
    var json = false

    @Flag(help: "No progress lines on stderr")
    var quiet = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard users > 0, tenants > 0 else { throw ValidationError("--users and --tenants must be at least 1") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive, --warmup not negative") }
        guard pipeline >= 1 else { throw ValidationError("--pipeline must be at least 1") }
        guard eventLoops >= 1 else { throw ValidationError("--event-loops must be at least 1") }
        _ = try kinds()
        if setupOnly, fixtures == nil { throw ValidationError("--setup-only needs --fixtures FILE to keep what it sets up") }
        if let addr { guard Address(addr) != nil else { throw ValidationError("--addr: expected host:port, got \"\(addr)\"") } }
    }

    func run() throws {
        let environment = ProcessEnvironment()
        let addressText = addr ?? environment["PMD_RPC_ADDR"] ?? "127.0.0.1:7420"
        guard let address = Address(addressText) else { throw ValidationError("PMD_RPC_ADDR: expected host:port, got \"\(addressText)\"") }
        let key = self.key ?? environment["PMD_RPC_KEY"]
        let progress = !quiet

        var kinds = try self.kinds()
        if kinds.allSatisfy(\.isRedis) { return try runAgainstRedis(address: address, kinds: kinds) }
        guard !kinds.contains(where: \.isRedis) else { throw ValidationError("redis-* workloads cannot be mixed with pmd's") }
        let control = try RPCClient(address: address, key: key)
        let methods = Set(try control.call("rpc.methods")["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        var skipped: [(workload: String, reason: String)] = []
        if kinds.contains(.tenantWrite) {
            let missing = ["tenants.create", "companies.update"].filter { !methods.contains($0) }
            if !missing.isEmpty {
                kinds.removeAll { $0 == .tenantWrite }
                let reason = "this pmd has no \(missing.joined(separator: " or ")) (tenancy not implemented yet)"
                skipped.append((WorkloadKind.tenantWrite.rawValue, reason))
                if progress { printError("tenant-write: skipped: \(reason)") }
            }
        }

        let userCount = max(users, connections)
        let setup = Setup(address: address, key: key, workers: setupConnections, progress: progress)
        let saved = reusableFixtures(control: control, progress: progress)
        var runID = saved?.runID ?? String(UInt32.random(in: .min ... .max), radix: 16)
        var made = saved?.fixtures ?? Fixtures(sessions: [], tenants: [])
        if made.sessions.count < userCount {
            runID = String(UInt32.random(in: .min ... .max), radix: 16)
            made = Fixtures(sessions: try setup.users(userCount, runID: runID), tenants: [])
        }
        if kinds.contains(.tenantWrite), made.tenants.count < tenants {
            made.tenants = try setup.tenants(tenants, users: userCount, runID: runID)
        }
        if let path = self.fixtures {
            try SavedFixtures(runID: runID, fixtures: made).save(to: path)
        }
        if setupOnly {
            if progress { printError("setup: \(made.sessions.count) users, \(made.tenants.count) tenants") }
            return
        }
        let fixtures = Fixtures(sessions: Array(made.sessions.prefix(userCount)), tenants: Array(made.tenants.prefix(tenants)))

        let transport: any Transport
        switch client {
        case .threads: transport = try ThreadTransport(address: address, key: key, connections: connections)
        case .nio: transport = try NIOTransport(address: address, key: key, connections: connections, eventLoops: eventLoops)
        case .epoll: transport = try EpollTransport(address: address, key: key, connections: connections)
        }
        defer { transport.close() }

        var results: [WorkloadResult] = []
        for kind in kinds {
            for depth in depths {
                let workload = Workload(kind: kind, depth: depth)
                results.append(try measure(workload, fixtures: fixtures, transport: transport, stats: control, progress: progress))
            }
        }

        let report = Report(
            address: address.description, transport: transport.name, connections: connections, users: userCount,
            tenants: kinds.contains(.tenantWrite) ? tenants : 0, warmupSeconds: warmup, durationSeconds: duration,
            results: results, skipped: skipped)
        print(json ? report.json().compactString : report.table())
        if report.totalErrors > 0 { throw ExitCode(1) }
    }

    /// The same drivers and transport against a Redis server (`--addr` is Redis'), for the
    /// replicated comparison: no setup, and no pmd counters.
    private func runAgainstRedis(address: Address, kinds: [WorkloadKind]) throws {
        let transport = try EpollTransport(address: address, key: nil, connections: connections)
        defer { transport.close() }
        let keys = Fixtures(sessions: Array(repeating: "", count: max(users, connections)), tenants: [])
        var results: [WorkloadResult] = []
        for kind in kinds {
            for depth in depths {
                results.append(try measure(Workload(kind: kind, depth: depth), fixtures: keys, transport: transport, stats: nil, progress: !quiet))
            }
        }
        let report = Report(
            address: address.description, transport: transport.name, connections: connections, users: keys.sessions.count, tenants: 0,
            warmupSeconds: warmup, durationSeconds: duration, results: results, skipped: [])
        print(json ? report.json().compactString : report.table())
        if report.totalErrors > 0 { throw ExitCode(1) }
    }

    /// The `--fixtures` file's users and tenants if its first session still works on this pmd
    /// (a pmd started afresh has none of them).
    private func reusableFixtures(control: RPCClient, progress: Bool) -> SavedFixtures? {
        guard let path = self.fixtures, let saved = SavedFixtures.load(path), let first = saved.fixtures.sessions.first else { return nil }
        guard (try? control.call("users.me", ["session": .string(first)])) != nil else {
            if progress { printError("fixtures: \(path) is not for this pmd; setting up afresh") }
            return nil
        }
        if progress { printError("fixtures: \(saved.fixtures.sessions.count) users, \(saved.fixtures.tenants.count) tenants from \(path)") }
        return saved
    }

    private var depths: [Int] {
        if pipeline == 1 { return [1] }
        return pipelinedOnly ? [pipeline] : [1, pipeline]
    }

    private func kinds() throws -> [WorkloadKind] {
        try workloads.split(separator: ",").map { name in
            let trimmed = name.trimmingSpaces
            guard let kind = WorkloadKind(rawValue: trimmed) else {
                let known = WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown workload \"\(trimmed)\" (known: \(known))")
            }
            return kind
        }
    }

    /// Warm-up, then the measured window between two `system.stats` reads, then a drain.
    private func measure(
        _ workload: Workload, fixtures: Fixtures, transport: any Transport, stats: RPCClient?, progress: Bool
    ) throws -> WorkloadResult {
        let control = RunControl()
        let drivers = (0..<connections).map { index in
            Driver(
                plan: RequestPlan.make(kind: workload.kind, connection: index, of: connections, fixtures: fixtures),
                depth: workload.depth, seed: UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
        }
        transport.start(drivers, control: control)
        let ticker = ProgressTicker(label: workload.description, control: control, enabled: progress)
        ticker.run(seconds: warmup, phase: "warm-up")

        let before = try commitCounters(stats)
        let clientCPU = processCPUSeconds()
        let serverCPU = serverPid.flatMap { processCPUSeconds(pid: $0) }
        let started = monotonicNanos()
        control.enter(.measure)
        ticker.run(seconds: duration, phase: "measure")
        control.enter(.stop)
        let seconds = Double(monotonicNanos() - started) / 1e9
        let clientCores = (processCPUSeconds() - clientCPU) / seconds
        let serverCores = serverPid.flatMap { processCPUSeconds(pid: $0) }.flatMap { now in serverCPU.map { (now - $0) / seconds } }
        let after = try commitCounters(stats)

        let finished = transport.finish()
        let result = WorkloadResult(
            workload: workload, connections: connections, seconds: seconds,
            latency: LatencySummary(nanoseconds: finished.flatMap(\.latencies)),
            errors: control.errors.load(ordering: .relaxed), errorSamples: control.errorSamples,
            commitBatches: both(before, after).map { $0.1.batches - $0.0.batches },
            commitRecords: both(before, after).map { $0.1.records - $0.0.records },
            clientCores: clientCores, serverCores: serverCores)
        if progress {
            printError(
                "\(workload): \(formatFixed(result.requestsPerSecond, 0)) req/s, p50 \(formatFixed(result.latency.p50, 3)) ms, "
                    + "p99 \(formatFixed(result.latency.p99, 3)) ms, errors \(result.errors)")
        }
        return result
    }

    private func commitCounters(_ client: RPCClient?) throws -> (batches: Int, records: Int)? {
        guard let client else { return nil }
        let commits = try client.call("system.stats")["commits"]
        guard let batches = commits?["batches"]?.intValue, let records = commits?["records"]?.intValue else { return nil }
        return (batches, records)
    }
}

/// Both values, or nil if either is missing.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

extension TransportKind: ExpressibleByArgument {}

/// The process environment without Foundation.
struct ProcessEnvironment {
    subscript(name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
