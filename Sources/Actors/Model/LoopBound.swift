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
    /// Inlinable so it is specialised for the caller's result type: the generic `Result` it
    /// builds otherwise has its metadata looked up at run time on every request.
    @inlinable
    public nonisolated func immediately<T: Sendable>(
        _ body: @Sendable (isolated Self) throws(DomainError) -> T
    ) throws(DomainError) -> T? {
        guard loop.inEventLoop else { return nil }
        let result = assumeIsolated { actor in Result { () throws(DomainError) in try body(actor) } }
        return try result.get()
    }

    /// The same turn, awaited from anywhere.
    public func turn<T: Sendable>(_ body: @Sendable (isolated Self) throws(DomainError) -> T) throws(DomainError) -> T {
        try body(self)
    }
}
