/// The LMDB tables holding pmd's current state, one row per entity, keyed by id.
public enum Tables {
    public static let users = "users"
    public static let sessions = "sessions"
    public static let tenants = "tenants"
    public static let companies = "companies"
    /// Keyed by tenant id then user id.
    public static let memberships = "memberships"
    public static let invitations = "invitations"

    /// Every domain table, opened at start.
    public static let all = [users, sessions, tenants, companies, memberships, invitations]
}
