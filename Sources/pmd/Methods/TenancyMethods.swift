import Actors
import Protocol

/// `tenants.*`, `companies.*`, `members.*`, `invites.*` (SPEC §6.3). Roles are enforced by the
/// tenant actor (`TenantState.authorize`), not here.
enum TenancyMethods {
    /// A lowercase or uppercase UUID; anything else is a validation error, not a 404.
    static func id(_ name: String, summary: String) -> ParamSpec {
        ParamSpec(name, .string, required: true, summary: summary) { value in
            value.stringValue.flatMap(ID.init) == nil ? "Must be a UUID" : nil
        }
    }

    static func parsedID(_ call: RPCCall, _ name: String) -> ID { ID(call.params.string(name)!)! }

    static let roleParam = ParamSpec("role", .string, required: true, summary: "owner, admin, member or viewer", rule: rule(Role.parse))

    static func methods(tenancy: Tenancy) -> [MethodSpec] {
        [
            MethodSpec(
                "tenants.create", summary: "Create a tenant with its first company; the caller becomes owner and the tenant active",
                access: .session,
                params: [
                    ParamSpec("tenantName", .string, required: true, summary: "1 to 100 characters", rule: rule(TenancyRules.tenantName)),
                    ParamSpec("companyName", .string, required: true, summary: "1 to 255 characters", rule: rule(TenancyRules.companyName)),
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    let names = try TenancyRules.validateCreate(
                        tenantName: call.params.string("tenantName")!, companyName: call.params.string("companyName")!)
                    return try await tenancy.createTenant(call.session!, tenantName: names.tenantName, companyName: names.companyName)
                }
                return RPCResult(
                    ["tenant": Views.tenant(outcome.value.tenant), "company": Views.company(outcome.value.company)],
                    fence: outcome.fence)
            },
            MethodSpec("tenants.list", summary: "The caller's tenants with their role", access: .session) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await tenancy.listTenants(call.session!) }
                let items: [JSON] = outcome.value.map {
                    ["id": JSON($0.tenant.id), "name": .string($0.tenant.name), "role": .string($0.role.rawValue)]
                }
                return RPCResult(Views.list("tenants", items), fence: outcome.fence)
            },
            MethodSpec(
                "tenants.switch", summary: "Make another of the caller's tenants active", access: .session,
                params: [id("tenantId", summary: "A tenant the caller belongs to")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.identity.switchTenant(call.session!, to: parsedID(call, "tenantId"))
                }
                return RPCResult(["tenantId": JSON(outcome.value)], fence: outcome.fence)
            },
            ActorTurn.tenant(
                "companies.list", summary: "The active tenant's companies, newest first", on: tenancy, input: { _ throws(DomainError) in }
            ) { tenant, caller, _ throws(DomainError) in
                let outcome = try tenant.companies(caller)
                return RPCResult(Views.list("companies", outcome.value.map(Views.company)), fence: outcome.fence)
            },
            ActorTurn.tenant(
                "companies.get", summary: "One company of the active tenant", params: [id("companyId", summary: "Company id")],
                on: tenancy, input: { call throws(DomainError) in parsedID(call, "companyId") }
            ) { tenant, caller, companyID throws(DomainError) in
                let outcome = try tenant.company(caller, id: companyID)
                return RPCResult(Views.company(outcome.value), fence: outcome.fence)
            },
            MethodSpec(
                "companies.create", summary: "Add a company (workspace) to the active tenant", access: .tenant,
                params: [ParamSpec("name", .string, required: true, summary: "1 to 255 characters", rule: rule(TenancyRules.companyName))]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.createCompany(call.session!, name: try validated("name", call.params.string("name")!, TenancyRules.companyName))
                }
                return RPCResult(Views.company(outcome.value), fence: outcome.fence)
            },
            ActorTurn.tenant(
                "companies.update", summary: "Rename a company or change its logo",
                params: [
                    id("companyId", summary: "Company id"),
                    ParamSpec("name", .string, summary: "1 to 255 characters", rule: rule(TenancyRules.companyName)),
                    ParamSpec("logoUrl", .string, nullable: true, summary: "http(s) URL, at most 500 characters; null removes it") { value in
                        guard case let .string(text) = value, !text.allSatisfy(\.isWhitespace) else { return nil }
                        return rule(TenancyRules.logoURL)(value)
                    },
                ],
                check: { params in
                    params["name"] != nil || params["logoUrl"] != nil ? [] : [([], DomainError.Message.atLeastOneField)]
                },
                on: tenancy,
                input: { call throws(DomainError) in
                    (id: parsedID(call, "companyId"),
                     patch: try CompanyPatch.validate(name: call.params.string("name"), logoUrl: call.params.nullableString("logoUrl")))
                }
            ) { tenant, caller, input throws(DomainError) in
                let outcome = try tenant.updateCompany(caller, id: input.id, patch: input.patch)
                return RPCResult(Views.company(outcome.value), fence: outcome.fence)
            },
            ActorTurn.tenant(
                "companies.archive", summary: "Archive a company", params: [id("companyId", summary: "Company id")],
                on: tenancy, input: { call throws(DomainError) in parsedID(call, "companyId") }
            ) { tenant, caller, companyID throws(DomainError) in
                let outcome = try tenant.archiveCompany(caller, id: companyID)
                return RPCResult(Views.company(outcome.value), fence: outcome.fence)
            },
            MethodSpec("members.list", summary: "The active tenant's members", access: .tenant) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in try await tenancy.members(call.session!) }
                return RPCResult(Views.list("users", outcome.value.map { Views.member($0.membership, $0.user) }), fence: outcome.fence)
            },
            MethodSpec(
                "members.remove", summary: "Remove a member from the active tenant", access: .tenant,
                params: [id("userId", summary: "The member's user id")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.removeMember(call.session!, userID: parsedID(call, "userId"))
                }
                return RPCResult(["removed": true], fence: outcome.fence)
            },
            MethodSpec(
                "members.setRole", summary: "Change a member's role", access: .tenant,
                params: [id("userId", summary: "The member's user id"), roleParam]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.setRole(
                        call.session!, userID: parsedID(call, "userId"), role: try validated("role", call.params.string("role")!, Role.parse))
                }
                return RPCResult(Views.member(outcome.value.membership, outcome.value.user), fence: outcome.fence)
            },
            MethodSpec(
                "invites.create", summary: "Invite someone by email to the active tenant; mails a link", access: .tenant,
                params: [
                    ParamSpec("email", .string, required: true, summary: "The invitee's email", rule: rule(EmailRule.normalize)),
                    roleParam,
                ]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    let email = try validated("email", call.params.string("email")!, EmailRule.normalize)
                    let role = try validated("role", call.params.string("role")!, Role.parse)
                    return try await tenancy.invite(call.session!, email: email, role: role)
                }
                let invitation = outcome.value
                return RPCResult(
                    [
                        "success": true, "message": "Invitation sent successfully",
                        "invitation": [
                            "id": JSON(invitation.id), "email": .string(invitation.email), "role": .string(invitation.role.rawValue),
                            "expiresAt": JSON(invitation.expiresAt),
                        ],
                    ], fence: outcome.fence)
            },
            ActorTurn.tenant(
                "invites.list", summary: "Pending invitations of the active tenant", on: tenancy, input: { _ throws(DomainError) in }
            ) { tenant, caller, _ throws(DomainError) in
                let outcome = try tenant.invitations(caller)
                return RPCResult(Views.list("invitations", outcome.value.map(Views.invitation)), fence: outcome.fence)
            },
            MethodSpec(
                "invites.revoke", summary: "Revoke a pending invitation", access: .tenant,
                params: [id("invitationId", summary: "Invitation id")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.revoke(call.session!, invitationID: parsedID(call, "invitationId"))
                }
                return RPCResult(["revoked": true], fence: outcome.fence)
            },
            MethodSpec(
                "invites.accept", summary: "Accept an invitation (the signed-in user's email must match); its tenant becomes active",
                access: .session, params: [ParamSpec("token", .string, required: true, summary: "The token from the invitation link")]
            ) { call throws(RPCError) in
                let outcome = try await domain { () async throws(DomainError) in
                    try await tenancy.accept(call.session!, invitationToken: call.params.string("token")!)
                }
                return RPCResult(["tenant": Views.tenant(outcome.value.tenant), "role": .string(outcome.value.role.rawValue)], fence: outcome.fence)
            },
        ]
    }
}
