import Synchronization

@testable import pmd

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// What a watch delivered, as the watch's thread hands it over.
final class WatchRecorder: Sendable {
    private struct State {
        var events: [EtcdWatchEvent] = []
        var batches = 0
        var ends: [EtcdError?] = []
    }

    private let state = Mutex(State())

    var events: [EtcdWatchEvent] { state.withLock { $0.events } }
    /// Every call of `onEnd`, so a test can check it came exactly once.
    var ends: [EtcdError?] { state.withLock { $0.ends } }

    func onEvent(_ events: [EtcdWatchEvent]) {
        state.withLock {
            $0.events += events
            $0.batches += 1
        }
    }

    func onEnd(_ error: EtcdError?) {
        state.withLock { $0.ends.append(error) }
    }

    func watch(_ client: EtcdClient, prefix: String, fromRevision: Int64) -> EtcdWatch {
        client.watch(prefix: prefix, fromRevision: fromRevision, onEvent: onEvent, onEnd: onEnd)
    }
}

/// The call's result or its error, so a test can time the call and clean up before judging it.
func outcome<T>(_ call: () async throws(EtcdError) -> T) async -> Result<T, EtcdError> {
    do {
        return .success(try await call())
    } catch {
        return .failure(error)
    }
}
