/// A member's role in a tenant (SPEC §6.4), from most to least privileged.
public enum Role: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case owner, admin, member, viewer

    public static let invalidMessage = "Role must be one of owner, admin, member, viewer"

    /// Parses the wire value exactly (an enumerated token: no trimming or case folding).
    public static func parse(_ raw: String) throws(RuleViolation) -> Role {
        guard let role = Role(rawValue: raw) else { throw RuleViolation(invalidMessage) }
        return role
    }

    /// Owners and admins: the roles only an owner may grant, change or remove.
    public var isPrivileged: Bool { self == .owner || self == .admin }
}
