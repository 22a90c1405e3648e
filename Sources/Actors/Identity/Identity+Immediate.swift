extension Identity {
    /// Runs `body` as one synchronous turn of the actor when the caller is already on the
    /// actor's event loop; nil when it is not (the caller then awaits the actor instead).
    ///
    /// This is the JSON-RPC fast path: `users.me` and `users.update` need nothing but this actor,
    /// and running them in place spares a task, two executor switches and a timer-driven flush
    /// per request. `body` must not suspend — it cannot: it is synchronous.
    public nonisolated func immediately<T: Sendable>(
        _ body: @Sendable (isolated Identity) throws(DomainError) -> T
    ) throws(DomainError) -> T? {
        guard loop.inEventLoop else { return nil }
        let result = assumeIsolated { identity in Result { () throws(DomainError) in try body(identity) } }
        return try result.get()
    }

    /// The same turn, awaited from anywhere.
    public func turn<T: Sendable>(_ body: @Sendable (isolated Identity) throws(DomainError) -> T) throws(DomainError) -> T {
        try body(self)
    }
}
