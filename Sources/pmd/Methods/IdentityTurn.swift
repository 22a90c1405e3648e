import Actors
import Protocol

/// Methods whose whole work is one synchronous turn of the identity actor (the hot `users.me`
/// and `users.update`). The body is written once and used twice: as the immediate handler, run
/// in place when the connection's event loop is the actor's (pmd's case), and as the ordinary
/// async handler that awaits the actor from anywhere else.
enum IdentityTurn {
    typealias Body = @Sendable (isolated Identity, RPCCall) throws(DomainError) -> RPCResult

    static func method(
        _ name: String, summary: String, access: MethodSpec.Access, params: [ParamSpec] = [],
        rejected: [String: String] = [:],
        check: (@Sendable (JSONObject) -> [(path: [String], message: String)])? = nil,
        on identity: Identity, body: @escaping Body
    ) -> MethodSpec {
        MethodSpec(
            name, summary: summary, access: access, params: params, rejected: rejected, check: check,
            immediate: { call throws(RPCError) in
                try wire { () throws(DomainError) in try identity.immediately { identity throws(DomainError) in try body(identity, call) } }
            },
            handler: { call throws(RPCError) in
                try await domain { () async throws(DomainError) in
                    try await identity.turn { identity throws(DomainError) in try body(identity, call) }
                }
            })
    }

    /// `domain` without suspension.
    private static func wire<T>(_ body: () throws(DomainError) -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw error.rpcError
        }
    }
}
