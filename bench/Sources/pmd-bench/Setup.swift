import Protocol

/// Creates what the workloads send requests for: users with sessions and, for `tenant-write`,
/// tenants with their first company. Untimed; every run uses fresh emails, so it can be repeated
/// against the same pmd.
struct Setup {
    var address: Address
    var key: String?
    var workers: Int
    var progress: Bool

    static let password = "bench password 1"

    /// One session per user.
    func users(_ count: Int, runID: String) throws -> [String] {
        try parallelCalls("users (signup + login)", count: count, workers: workers, address: address, key: key, progress: progress) { client, index in
            let email = "bench-\(runID)-\(index)@example.com"
            _ = try client.call("auth.signup", ["email": .string(email), "password": .string(Self.password), "name": .string("Bench User \(index)")])
            return try Self.login(client, email: email)
        }
    }

    /// Tenant `t` is created by user `t % users` through a session of its own, whose active tenant
    /// it then is (SPEC §6.3), so `companies.update` needs no `tenants.switch`.
    func tenants(_ count: Int, users: Int, runID: String) throws -> [Fixtures.TenantSeat] {
        try parallelCalls("tenants (login + tenants.create)", count: count, workers: workers, address: address, key: key, progress: progress) { client, index in
            let session = try Self.login(client, email: "bench-\(runID)-\(index % users)@example.com")
            let created = try client.call(
                "tenants.create",
                ["session": .string(session), "tenantName": .string("Bench Tenant \(index)"), "companyName": .string("Bench Company \(index)")])
            guard let companyID = created["company"]?["id"]?.stringValue else {
                throw RPCClient.CallError(method: "tenants.create", message: "no company.id in \(created.compactString)")
            }
            return Fixtures.TenantSeat(session: session, companyID: companyID)
        }
    }

    private static func login(_ client: RPCClient, email: String) throws -> String {
        let login = try client.call("auth.login", ["email": .string(email), "password": .string(password)])
        guard let token = login["session"]?["token"]?.stringValue else {
            throw RPCClient.CallError(method: "auth.login", message: "no session.token in \(login.compactString)")
        }
        return token
    }
}
