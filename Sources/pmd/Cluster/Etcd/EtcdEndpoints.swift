/// Which endpoint to ask first: the one that last answered. A call tries each endpoint at most
/// once, from the preferred one onwards in the listed order, wrapping around.
struct EtcdEndpoints: Sendable, Equatable {
    let urls: [String]
    private(set) var preferred = 0

    /// - Parameter urls: client URLs such as `http://127.0.0.1:2379`; a trailing `/` is dropped.
    init(_ urls: [String]) {
        precondition(!urls.isEmpty, "EtcdClient needs at least one endpoint")
        self.urls = urls.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    /// Indexes into `urls` in the order one call tries them.
    var order: [Int] {
        (0..<urls.count).map { (preferred + $0) % urls.count }
    }

    /// Makes `index` the first one tried from now on.
    mutating func answered(_ index: Int) {
        preferred = index
    }

    /// The time one attempt may take so that the attempts left still fit in `remaining`: a
    /// hung endpoint costs its share, never the whole budget, so the next one is still tried.
    static func attemptBudget(remaining: Duration, attemptsLeft: Int) -> Duration {
        remaining / max(1, attemptsLeft)
    }
}
