/// How much mail pmd sends on a client's say-so. Without limits a loop over `auth.forgotPassword`,
/// or over `invites.create` and `invites.revoke`, makes pmd mail any address as often as the
/// client likes — in PenguinMails' name, with a tenant name the client chose — which burns the
/// sender's reputation and harasses the recipient. Every limit is a sliding window: at most
/// `count` mails in any `windowSeconds`.
///
/// The numbers, and why:
/// - 3 reset mails per address per hour: a person who mistypes or loses a mail asks again once
///   or twice; more is a loop. Over the limit `auth.forgotPassword` answers exactly as always and
///   sends nothing, so the limit tells nobody whether the account exists.
/// - 5 invitations per recipient address per hour, across all tenants: enough to fix a wrong
///   role a few times, too few to spam an outside address.
/// - 50 invitations per tenant per hour, and 50 per inviting user (across their tenants, which
///   anyone can create): enough to onboard a whole team in one sitting.
///   Over these `invites.create` answers 429 `rate_limited` with `data.retryAfter`.
public struct MailLimits: Sendable, Equatable {
    public struct Limit: Sendable, Equatable {
        public let count: Int
        public let windowSeconds: Int64

        public init(_ count: Int, per windowSeconds: Int64) {
            self.count = count
            self.windowSeconds = windowSeconds
        }
    }

    public var resetsPerAddress: Limit
    public var invitationsPerAddress: Limit
    public var invitationsPerTenant: Limit
    public var invitationsPerInviter: Limit

    public init(resetsPerAddress: Limit, invitationsPerAddress: Limit, invitationsPerTenant: Limit, invitationsPerInviter: Limit) {
        self.resetsPerAddress = resetsPerAddress
        self.invitationsPerAddress = invitationsPerAddress
        self.invitationsPerTenant = invitationsPerTenant
        self.invitationsPerInviter = invitationsPerInviter
    }

    public static let hour: Int64 = 3600

    public static let standard = MailLimits(
        resetsPerAddress: Limit(3, per: hour), invitationsPerAddress: Limit(5, per: hour),
        invitationsPerTenant: Limit(50, per: hour), invitationsPerInviter: Limit(50, per: hour))

    public func limit(for scope: MailScope) -> Limit {
        switch scope {
        case .resetsTo: resetsPerAddress
        case .invitationsTo: invitationsPerAddress
        case .invitationsFrom: invitationsPerTenant
        case .invitationsBy: invitationsPerInviter
        }
    }

    /// How long a sent mail counts against any limit: its row may be pruned after this.
    public var longestWindowSeconds: Int64 {
        [resetsPerAddress, invitationsPerAddress, invitationsPerTenant, invitationsPerInviter].map(\.windowSeconds).max() ?? 0
    }
}

/// What a mail counts against.
public enum MailScope: Hashable, Sendable {
    /// Reset mails to a (normalised) address.
    case resetsTo(String)
    /// Invitations to a (normalised) address, from any tenant.
    case invitationsTo(String)
    /// Invitations from a tenant.
    case invitationsFrom(ID)
    /// Invitations made by a user, in any tenant.
    case invitationsBy(ID)
}

extension MailScope: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .resetsTo(address): "resets to \(address)"
        case let .invitationsTo(address): "invitations to \(address)"
        case let .invitationsFrom(tenant): "invitations from tenant \(tenant)"
        case let .invitationsBy(user): "invitations by user \(user)"
        }
    }
}
