import Actors
import Synchronization

/// A running watch; `cancel()` ends it (its `onEnd` is then called with `nil`).
final class EtcdWatch: Sendable {
    let control = CurlStreamControl()
    private let state = Mutex(State())

    private struct State {
        var ended = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Stops the stream at once, from any thread. Events already being delivered may still
    /// arrive until `onEnd` is called.
    func cancel() {
        control.cancel()
    }

    /// Returns once `onEnd` has returned.
    func ended() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if done { continuation.resume() }
        }
    }

    func markEnded() {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The client's running watches, so that shutting down can end them and wait for their threads.
final class EtcdWatchRegistry: Sendable {
    private struct State {
        var active: [ObjectIdentifier: EtcdWatch] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// False once the client is shut down: the watch must not start.
    func add(_ watch: EtcdWatch) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.active[ObjectIdentifier(watch)] = watch
            return true
        }
    }

    func remove(_ watch: EtcdWatch) {
        _ = state.withLock { $0.active.removeValue(forKey: ObjectIdentifier(watch)) }
    }

    var count: Int { state.withLock { $0.active.count } }

    func cancelAll() async {
        let active = state.withLock { state in
            state.closed = true
            return Array(state.active.values)
        }
        for watch in active { watch.cancel() }
        for watch in active { await watch.ended() }
    }
}
