import Protocol

/// What one workload measured.
struct WorkloadResult: Sendable {
    var workload: Workload
    var connections: Int
    var seconds: Double
    var latency: LatencySummary
    var errors: Int
    var errorSamples: [String]
    /// WAL commits during the measured window (from `system.stats`), nil if unavailable.
    var commitBatches: Int?
    var commitRecords: Int?
    /// CPU cores used on average by pmd-bench itself and (with `--server-pid`) by pmd.
    var clientCores: Double
    var serverCores: Double?

    var requests: Int { latency.count }
    var requestsPerSecond: Double { seconds > 0 ? Double(requests) / seconds : 0 }
    var meanBatchSize: Double? {
        guard let batches = commitBatches, let records = commitRecords, batches > 0 else { return nil }
        return Double(records) / Double(batches)
    }
}

/// The whole run, printed as a table or as JSON.
struct Report: Sendable {
    var address: String
    var transport: String
    var connections: Int
    var users: Int
    var tenants: Int
    var warmupSeconds: Double
    var durationSeconds: Double
    var results: [WorkloadResult]
    var skipped: [(workload: String, reason: String)]

    var totalErrors: Int { results.reduce(0) { $0 + $1.errors } }

    func table() -> String {
        var lines: [String] = []
        lines.append(
            "pmd \(address): \(connections) connections, \(users) users, \(tenants) tenants, "
                + "\(formatFixed(durationSeconds, 0)) s per workload after \(formatFixed(warmupSeconds, 0)) s warm-up, client \(transport)")
        let header = [
            padRight("workload", 26), padLeft("req/s", 10), padLeft("p50 ms", 8), padLeft("p90 ms", 8), padLeft("p99 ms", 8),
            padLeft("max ms", 8), padLeft("errors", 7), padLeft("batch", 7), padLeft("client", 7), padLeft("pmd", 6),
        ]
        lines.append(header.joined(separator: " "))
        for result in results {
            lines.append(
                [
                    padRight(result.workload.description, 26), padLeft(formatFixed(result.requestsPerSecond, 0), 10),
                    padLeft(formatFixed(result.latency.p50, 3), 8), padLeft(formatFixed(result.latency.p90, 3), 8),
                    padLeft(formatFixed(result.latency.p99, 3), 8), padLeft(formatFixed(result.latency.max, 2), 8),
                    padLeft(String(result.errors), 7), padLeft(result.meanBatchSize.map { formatFixed($0, 1) } ?? "-", 7),
                    padLeft(formatFixed(result.clientCores * 100, 0) + "%", 7),
                    padLeft(result.serverCores.map { formatFixed($0 * 100, 0) + "%" } ?? "-", 6),
                ].joined(separator: " "))
        }
        for (workload, reason) in skipped { lines.append("\(workload): skipped: \(reason)") }
        lines.append("batch = mean WAL records per LMDB commit; client/pmd = CPU used, 100% = one core")
        for result in results where !result.errorSamples.isEmpty {
            lines.append("\(result.workload) errors, first ones:")
            for sample in result.errorSamples { lines.append("  \(sample)") }
        }
        return lines.joined(separator: "\n")
    }

    func json() -> JSON {
        [
            "pmd": .string(address), "client": .string(transport), "connections": int(connections), "users": int(users),
            "tenants": int(tenants), "warmupSeconds": number(warmupSeconds), "durationSeconds": number(durationSeconds),
            "results": .array(results.map(Self.json)),
            "skipped": .array(skipped.map { ["workload": .string($0.workload), "reason": .string($0.reason)] }),
            "errors": int(totalErrors),
        ]
    }

    private static func json(_ result: WorkloadResult) -> JSON {
        [
            "workload": .string(result.workload.kind.rawValue), "pipeline": int(result.workload.depth),
            "connections": int(result.connections), "seconds": number(result.seconds),
            "requests": int(result.requests), "requestsPerSecond": number(result.requestsPerSecond),
            "latencyMs": [
                "p50": number(result.latency.p50), "p90": number(result.latency.p90), "p99": number(result.latency.p99),
                "max": number(result.latency.max),
            ],
            "errors": int(result.errors), "errorSamples": .array(result.errorSamples.map { .string($0) }),
            "commits": [
                "batches": result.commitBatches.map(int) ?? .null, "records": result.commitRecords.map(int) ?? .null,
                "meanBatchSize": result.meanBatchSize.map(number) ?? .null,
            ],
            "clientCpuCores": number(result.clientCores), "serverCpuCores": result.serverCores.map(number) ?? .null,
        ]
    }

}

private func int(_ value: Int) -> JSON { .number(JSONNumber(value)) }

/// Rounded to three decimals so the output stays readable; NaN becomes null.
private func number(_ value: Double) -> JSON {
    JSONNumber((value * 1000).rounded() / 1000).map { .number($0) } ?? .null
}
