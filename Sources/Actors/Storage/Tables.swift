/// The LMDB tables holding pmd's current state, one row per entity, keyed by id.
public enum Tables {
    public static let users = "users"
    public static let sessions = "sessions"

    /// Every domain table, opened at start.
    public static let all = [users, sessions]
}
