import NIOCore

/// An actor whose serial executor is a NIO event loop. pmd binds the identity actor and the
/// tenant actors to the JSON-RPC loop, so a request that only needs their synchronous turns can
/// run in place on that loop (`immediately`) — no task, no executor switches — while callers on
/// other threads await them like any actor (`turn`).
public protocol LoopBound: Actor {
    nonisolated var loop: any EventLoop { get }
}

extension LoopBound {
    /// Runs `body` as one synchronous turn of the actor when the caller is already on the actor's
    /// loop; nil when it is not (the caller then awaits `turn` instead). `body` cannot suspend.
    ///
    /// This is `assumeIsolated` without its second check: the actor's serial executor is `loop`,
    /// so `loop.inEventLoop` is the very question `assumeIsolated` asks the runtime
    /// (`swift_task_isCurrentExecutor`, 3% of a `users.me` request's instructions). The cast is
    /// the one `assumeIsolated` itself makes once its check has passed. Inlinable so it is
    /// specialised for the caller's result type.
    @inlinable
    public nonisolated func immediately<T: Sendable>(
        _ body: @Sendable (isolated Self) throws(DomainError) -> T
    ) throws(DomainError) -> T? {
        guard loop.inEventLoop else { return nil }
        typealias Isolated = (isolated Self) throws(DomainError) -> T
        typealias Plain = (Self) throws(DomainError) -> T
        return try withoutActuallyEscaping(body) { (isolated: @escaping Isolated) throws(DomainError) -> T in
            try unsafeBitCast(isolated, to: Plain.self)(self)
        }
    }

    /// The same turn, awaited from anywhere.
    public func turn<T: Sendable>(_ body: @Sendable (isolated Self) throws(DomainError) -> T) throws(DomainError) -> T {
        try body(self)
    }
}
