import Actors
import Protocol

/// `mail.list`, `mail.retry`, `mail.drop`: operator methods on the outbox, for `pmd mail`. Like
/// `system.stats` they need no session: the JSON-RPC port is for trusted clients (app servers
/// and operators; set `PMD_RPC_KEY` when anything else can reach it).
enum MailMethods {
    static let states = ["queued", "dead"]
    static let maxListed = 1000

    static func methods(mailer: Mailer) -> [MethodSpec] {
        [
            MethodSpec(
                "mail.list", summary: "Operator: undelivered mail and dead letters, oldest first (no links: none is stored)",
                params: [
                    ParamSpec("state", .string, summary: "queued or dead; both when absent") { value in
                        states.contains(value.stringValue ?? "") ? nil : "Must be queued or dead"
                    },
                    ParamSpec("limit", .integer, summary: "At most this many (1 to \(maxListed), default 100)") { value in
                        (1...maxListed).contains(value.intValue ?? 0) ? nil : "Must be from 1 to \(maxListed)"
                    },
                ]
            ) { call throws(RPCError) in
                let state = call.params.string("state")
                let limit = call.params["limit"]?.intValue ?? 100
                let listed = await mailer.list().filter { state == nil || self.state(of: $0.entry) == state }
                let report = mailer.report
                return RPCResult([
                    "mail": .array(listed.prefix(limit).map(view)), "count": JSON(min(limit, listed.count)),
                    "queued": JSON(report.queued), "dead": JSON(report.dead),
                ])
            },
            MethodSpec(
                "mail.retry", summary: "Operator: send a dead letter again, or try a queued mail now",
                params: [TenancyMethods.id("id", summary: "Mail id (from mail.list)")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await mailer.retry(TenancyMethods.parsedID(call, "id"))
                }
                return RPCResult(["id": JSON(outcome.value.id), "state": .string(state(of: outcome.value))], fence: outcome.fence)
            },
            MethodSpec(
                "mail.drop", summary: "Operator: remove a mail from the outbox for good",
                params: [TenancyMethods.id("id", summary: "Mail id (from mail.list)")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await mailer.drop(TenancyMethods.parsedID(call, "id"))
                }
                return RPCResult(["dropped": true], fence: outcome.fence)
            },
        ]
    }

    static func state(of entry: OutboxEntry) -> String { entry.deadLetter == nil ? "queued" : "dead" }

    static func view(_ listed: Mailer.Listed) -> JSON {
        let entry = listed.entry
        return [
            "id": JSON(entry.id), "kind": .string(entry.content.kind), "to": .string(entry.to),
            "subject": .string(entry.content.subject), "createdAt": JSON(entry.createdAt), "state": .string(state(of: entry)),
            "attempts": JSON(listed.attempts), "lastError": JSON(listed.lastError),
            "deadSince": entry.deadLetter.map { JSON($0.since) } ?? .null,
        ]
    }
}
