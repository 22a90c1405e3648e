import Actors
import Protocol

/// Methods whose whole work is synchronous turns of loop-bound actors (`LoopBound`): the body is
/// written once and used twice — as the immediate handler, run in place when the connection's
/// event loop is the actors' (pmd's case), and as the async handler that awaits them from
/// anywhere else (batches, or a loop that is not theirs).
enum ActorTurn {
    /// One turn of the identity actor (`users.me`, `users.update`).
    static func identity(
        _ name: String, summary: String, access: MethodSpec.Access, params: [ParamSpec] = [],
        rejected: [String: String] = [:],
        check: (@Sendable (JSONObject) -> [(path: [String], message: String)])? = nil,
        on identity: Identity,
        body: @escaping @Sendable (isolated Identity, RPCCall) throws(DomainError) -> RPCResult
    ) -> MethodSpec {
        MethodSpec(
            name, summary: summary, access: access, params: params, rejected: rejected, check: check,
            immediate: { call throws(RPCError) in
                try domainNow { () throws(DomainError) in try identity.immediately { identity throws(DomainError) in try body(identity, call) } }
            },
            handler: { call throws(RPCError) in
                try await domain { () async throws(DomainError) in
                    try await identity.turn { identity throws(DomainError) in try body(identity, call) }
                }
            })
    }

    /// The caller's tenant context (a turn of the identity actor), then one turn of the active
    /// tenant's actor: every tenant-scoped method that touches nothing else. `input` checks the
    /// params first, so its failures come before an authentication failure, as elsewhere.
    static func tenant<Input: Sendable>(
        _ name: String, summary: String, params: [ParamSpec] = [],
        check: (@Sendable (JSONObject) -> [(path: [String], message: String)])? = nil,
        on tenancy: Tenancy,
        input: @escaping @Sendable (RPCCall) throws(DomainError) -> Input,
        body: @escaping @Sendable (isolated TenantActor, Caller, Input) throws(DomainError) -> RPCResult
    ) -> MethodSpec {
        MethodSpec(
            name, summary: summary, access: .tenant, params: params, check: check,
            immediate: { call throws(RPCError) in
                try domainNow { () throws(DomainError) -> RPCResult? in
                    let value = try input(call)
                    let token = call.session!
                    guard let caller = try tenancy.identity.immediately({ identity throws(DomainError) in try identity.tenantContext(token) })
                    else { return nil }
                    guard let tenant = tenancy.directory.tenant(caller.tenantID) else { throw .noTenantContext }
                    return try tenant.immediately { tenant throws(DomainError) in try body(tenant, caller, value) }
                }
            },
            handler: { call throws(RPCError) in
                try await domain { () async throws(DomainError) in
                    let value = try input(call)
                    let (tenant, caller) = try await tenancy.context(call.session!)
                    return try await tenant.turn { tenant throws(DomainError) in try body(tenant, caller, value) }
                }
            })
    }
}
