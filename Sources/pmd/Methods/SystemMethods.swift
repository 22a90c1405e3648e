import Protocol

/// `system.*` (SPEC §6.1). `rpc.methods` and `rpc.auth` are built into the protocol layer.
enum SystemMethods {
    static func methods(runtime: Runtime) -> [MethodSpec] {
        [
            MethodSpec("system.ping", summary: "Liveness check", anywhere: true) { _ throws(RPCError) in RPCResult(["pong": true]) },
            MethodSpec("system.health", summary: "Status of storage, Stripe and mail", anywhere: true) { _ throws(RPCError) in
                RPCResult(runtime.health())
            },
            MethodSpec("system.stats", summary: "Counters: connections, requests by method, commit batches, users, sessions", anywhere: true) { _ throws(RPCError) in
                RPCResult(await runtime.stats())
            },
        ]
    }
}
