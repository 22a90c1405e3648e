/// Every failure the domain can report, one case per row of SPEC §4's application-error table.
///
/// The protocol layer turns a `DomainError` into a JSON-RPC error with `code`, the case's
/// message and `data.kind` (plus `data.errors` / `data.retryAfter` where the case carries them).
/// Fixed messages the spec names live in `DomainError+Messages.swift`.
public enum DomainError: Error, Sendable, Equatable {
    /// 400 `validation_failed`: bad params; every failing field is listed.
    case validation([FieldIssue])
    /// 400 `bad_request`: other client mistakes (no tenant selected, invalid or expired token).
    case badRequest(String)
    /// 401 `unauthorized`: missing, unknown or expired session; wrong login.
    case unauthorized(String)
    /// 403 `forbidden`: authenticated but not allowed (role, self-removal, wrong current password).
    case forbidden(String)
    /// 404 `not_found`: absent, or belongs to another tenant (never reveal which).
    case notFound(String)
    /// 409 `conflict`: duplicates (email, pending invite).
    case conflict(String)
    /// 429 `rate_limited`: throttled; `retryAfter` is whole seconds until a retry can succeed.
    case rateLimited(retryAfter: Int, message: String)
    /// 503 `unavailable`: billing not configured, Stripe unreachable, persistence failed, not
    /// enough standbys (cluster mode).
    case unavailable(String)
    /// 421 `not_primary` (cluster mode, SPEC §10): this node does not take writes (any more).
    case notPrimary
    /// 500 `internal`: a bug. The message must carry no internals; log details separately.
    case `internal`(String)

    /// The error `code` on the wire: the HTTP status the seed tickets name.
    public var code: Int {
        switch self {
        case .validation, .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .rateLimited: 429
        case .unavailable: 503
        case .notPrimary: 421
        case .internal: 500
        }
    }

    /// The `data.kind` string on the wire.
    public var kind: String {
        switch self {
        case .validation: "validation_failed"
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .conflict: "conflict"
        case .rateLimited: "rate_limited"
        case .unavailable: "unavailable"
        case .notPrimary: "not_primary"
        case .internal: "internal"
        }
    }

    /// The short human `message` on the wire.
    public var message: String {
        switch self {
        case .validation: Message.validationFailed
        case .badRequest(let m), .unauthorized(let m), .forbidden(let m), .notFound(let m),
             .conflict(let m), .unavailable(let m), .internal(let m):
            m
        case .rateLimited(_, let m): m
        case .notPrimary: Message.notPrimary
        }
    }

    /// `data.errors` for `validation_failed`; empty for every other kind.
    public var fieldIssues: [FieldIssue] {
        if case .validation(let issues) = self { return issues }
        return []
    }

    /// `data.retryAfter` for `rate_limited`; nil for every other kind.
    public var retryAfter: Int? {
        if case .rateLimited(let seconds, _) = self { return seconds }
        return nil
    }
}
