/// Exact percentiles of every recorded latency (all kept, then sorted: simple and correct).
struct LatencySummary: Sendable {
    var count: Int
    /// Milliseconds.
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double

    init(nanoseconds samples: [UInt64]) {
        let sorted = samples.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            // Nearest rank: the smallest sample with at least p of all samples at or below it.
            let index = Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)
            return Double(sorted[Swift.min(index, sorted.count - 1)]) / 1e6
        }
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        max = sorted.last.map { Double($0) / 1e6 } ?? .nan
    }
}
