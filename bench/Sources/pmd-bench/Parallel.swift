import Synchronization

/// Runs `body(client, index)` for every index in `0..<count` over `workers` connections (each
/// with its own client), printing progress every 5 seconds; the results in index order.
func parallelCalls<T: Sendable>(
    _ what: String, count: Int, workers: Int, address: Address, key: String?, progress: Bool,
    _ body: @escaping @Sendable (RPCClient, Int) throws -> T
) throws -> [T] {
    if count == 0 { return [] }
    let shared = SharedProgress<T>(count: count)
    let started = monotonicNanos()
    let threads = (0..<min(workers, count)).map { _ in
        OSThread {
            do {
                let client = try RPCClient(address: address, key: key)
                while !shared.failed, let index = shared.claim() {
                    shared.store(try body(client, index), at: index)
                }
            } catch {
                shared.fail(error)
            }
        }
    }
    var lastReport = started
    while shared.done < count && !shared.failed {
        sleep(seconds: 0.05)
        let now = monotonicNanos()
        if progress && now - lastReport >= 5_000_000_000 {
            lastReport = now
            printError("setup: \(what) \(shared.done)/\(count)")
        }
    }
    for thread in threads { thread.join() }
    if let error = shared.failure { throw error }
    if progress {
        let seconds = Double(monotonicNanos() - started) / 1e9
        printError("setup: \(what) \(count) in \(formatFixed(seconds, 1)) s")
    }
    return shared.results
}

/// The work queue and results shared by `parallelCalls`' threads.
private final class SharedProgress<T: Sendable>: Sendable {
    private let count: Int
    private let next = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let values: Mutex<[T?]>
    private let error = Mutex<(any Error)?>(nil)

    init(count: Int) {
        self.count = count
        values = Mutex(Array(repeating: nil, count: count))
    }

    /// The next index to work on, or nil when all are taken.
    func claim() -> Int? {
        let index = next.add(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }

    func store(_ value: T, at index: Int) {
        values.withLock { $0[index] = value }
        finished.add(1, ordering: .relaxed)
    }

    func fail(_ failure: any Error) { error.withLock { if $0 == nil { $0 = failure } } }

    var done: Int { finished.load(ordering: .relaxed) }
    var failure: (any Error)? { error.withLock { $0 } }
    var failed: Bool { failure != nil }
    var results: [T] { values.withLock { $0.map { $0! } } }
}
