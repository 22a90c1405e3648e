/// The line per second on stderr while a workload runs: phase, elapsed time, throughput over the
/// last second, errors so far.
struct ProgressTicker {
    var label: String
    var control: RunControl
    var enabled: Bool

    /// Sleeps for `seconds`, reporting once a second.
    func run(seconds: Double, phase: String) {
        let start = monotonicNanos()
        let end = start + UInt64(seconds * 1e9)
        var lastTime = start
        var lastCount = control.completed.load(ordering: .relaxed)
        while true {
            let now = monotonicNanos()
            if now >= end { return }
            sleep(seconds: min(1.0, Double(end - now) / 1e9))
            guard enabled else { continue }
            let time = monotonicNanos()
            let count = control.completed.load(ordering: .relaxed)
            let rate = Double(count - lastCount) / (Double(time - lastTime) / 1e9)
            printError(
                "\(padRight(label, 26)) \(padRight(phase, 7)) \(padLeft(formatFixed(Double(time - start) / 1e9, 0), 3))/"
                    + "\(formatFixed(seconds, 0)) s  \(padLeft(formatFixed(rate, 0), 7)) req/s  errors \(control.errors.load(ordering: .relaxed))")
            lastTime = time
            lastCount = count
        }
    }
}
