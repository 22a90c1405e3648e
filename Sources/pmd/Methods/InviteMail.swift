import Actors
import Persistence

/// The invitation mail (SPEC §6.3): link `PMD_APP_URL/invite?token=TOKEN`, written to the
/// outbox in the same record as the invitation.
struct InviteMail: Sendable {
    let appURL: String

    func link(token: String) -> String { "\(appURL)/invite?token=\(token)" }

    func ops(tenant: Tenant, invitation: Invitation, token: String) -> [WALOp] {
        []
    }
}
