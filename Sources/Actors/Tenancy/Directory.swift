import Persistence
import Synchronization

/// The global indexes of tenancy: every tenant's actor, workspace names (unique across all
/// companies) and invitation tokens. Name reservation is the actor's job: two concurrent
/// `tenants.create` calls with the same company name must get different workspace names.
public actor Directory {
    private var workspaceNames: Set<String>
    private var invitationTokens: [TokenHash: (tenant: ID, invitation: ID)]
    /// Read on every tenant-scoped request, so it is a lock-protected map rather than actor
    /// state: finding a tenant's actor costs no extra actor hop.
    private nonisolated let registry: Mutex<[ID: TenantActor]>

    public init(tenants: [TenantActor], workspaceNames: Set<String>, invitationTokens: [TokenHash: (tenant: ID, invitation: ID)]) {
        self.workspaceNames = workspaceNames
        self.invitationTokens = invitationTokens
        registry = Mutex(Dictionary(uniqueKeysWithValues: tenants.map { ($0.id, $0) }))
    }

    public nonisolated func tenant(_ id: ID) -> TenantActor? { registry.withLock { $0[id] } }

    public nonisolated var tenantCount: Int { registry.withLock { $0.count } }

    public nonisolated func install(_ tenant: TenantActor) { registry.withLock { $0[tenant.id] = tenant } }

    /// Picks the workspace name for a company name and marks it taken.
    public func reserveWorkspaceName(for companyName: String) -> String {
        let name = WorkspaceSlug.unique(base: WorkspaceSlug.base(for: companyName)) { workspaceNames.contains($0) }
        workspaceNames.insert(name)
        return name
    }

    /// Gives back a reserved name whose company was never created.
    public func releaseWorkspaceName(_ name: String) { workspaceNames.remove(name) }

    public func registerInvitation(_ hash: TokenHash, tenant: ID, invitation: ID) {
        invitationTokens[hash] = (tenant, invitation)
    }

    public func forgetInvitation(_ hash: TokenHash) { invitationTokens[hash] = nil }

    /// Forgets an invitation's token by the invitation's id; returns its tenant if it was known.
    @discardableResult
    func forgetInvitation(id: ID) -> ID? {
        guard let entry = invitationTokens.first(where: { $0.value.invitation == id }) else { return nil }
        invitationTokens[entry.key] = nil
        return entry.value.tenant
    }

    /// Invitation links the directory knows.
    var tokenCount: Int { invitationTokens.count }

    /// Marks a workspace name as taken (a company the log brought).
    func noteWorkspaceName(_ name: String) { workspaceNames.insert(name) }

    public func invitation(for hash: TokenHash) -> (tenant: ID, invitation: ID)? { invitationTokens[hash] }
}
