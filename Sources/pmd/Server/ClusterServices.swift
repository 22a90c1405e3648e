import Logging
import ServiceLifecycle
import Synchronization

/// Work only a primary does (SPEC §10: the mailer, the Stripe sync's reconciliation, the sweep):
/// waits until this node is promoted, then runs `inner`. A node stops being primary only by
/// starting afresh (`Relaunch`), so nothing needs stopping on the way down.
struct PrimaryOnlyService: Service {
    let inner: any Service
    let promoted: PromotionSignal

    func run() async throws {
        guard await promoted.wait() else { return }
        try await inner.run()
    }
}

/// Opens once when this node becomes primary; waiters are let go then, or with false when the
/// service group shuts down first.
final class PromotionSignal: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Bool, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// True once open; false when the waiting task is cancelled or graceful shutdown begins.
    func wait() async -> Bool {
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let open = self.state.withLock { state -> Bool in
                        if state.open { return true }
                        if Task.isCancelled { return false }
                        state.waiters.append(continuation)
                        return false
                    }
                    if open {
                        continuation.resume(returning: true)
                    } else if Task.isCancelled {
                        continuation.resume(returning: false)
                    }
                }
            } onCancel: {
                let waiters = self.state.withLock { state -> [CheckedContinuation<Bool, Never>] in
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: false) }
            }
        }
    }
}

/// Runs the cluster's control loop (`ClusterNode`) until graceful shutdown, when a primary gives
/// up its leader key so a standby takes over at once.
struct ClusterService: Service {
    let node: ClusterNode

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await node.run()
        }
    }
}
