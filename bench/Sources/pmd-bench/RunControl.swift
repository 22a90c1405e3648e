import Synchronization

/// What the coordinator and every connection share during a workload: the phase (read by each
/// connection on each response) and counters for the progress line.
final class RunControl: Sendable {
    enum Phase: Int {
        /// Requests flow; nothing is recorded.
        case warmup
        /// Responses arriving now are counted and their latencies kept.
        case measure
        /// No new requests; connections finish when their in-flight requests are answered.
        case stop
    }

    private let phaseValue = Atomic<Int>(Phase.warmup.rawValue)
    /// Responses received so far (all phases), for the progress line.
    let completed = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    private let firstErrors = Mutex<[String]>([])

    var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed))! }

    func enter(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .relaxed) }

    /// Counts an error; keeps the first few messages to show.
    func recordError(_ message: @autoclosure () -> String) {
        if errors.add(1, ordering: .relaxed).newValue <= 3 {
            let text = message()
            firstErrors.withLock { $0.append(text) }
        }
    }

    var errorSamples: [String] { firstErrors.withLock { $0 } }
}
