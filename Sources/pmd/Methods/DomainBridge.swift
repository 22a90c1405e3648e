import Actors
import Protocol

extension DomainError {
    /// The JSON-RPC error for this domain failure, in SPEC §4's shape.
    var rpcError: RPCError {
        var extra: JSONObject = [:]
        if case let .validation(issues) = self {
            extra["errors"] = .array(issues.map { ["path": .array($0.path.map { .string($0) }), "message": .string($0.message)] })
        }
        if let retryAfter { extra["retryAfter"] = .number(JSONNumber(retryAfter)) }
        // Which node is primary is the cluster's to say; a write refused here in a race with a
        // change of primary names none (retry shortly, SPEC §10).
        if case .notPrimary = self { extra["primary"] = .null }
        return .application(code: code, kind: kind, message: message, extra: extra)
    }
}

/// Runs domain code and turns its typed failure into the wire error.
func domain<T>(_ body: () async throws(DomainError) -> T) async throws(RPCError) -> T {
    do {
        return try await body()
    } catch {
        throw error.rpcError
    }
}

/// `domain` for code that cannot suspend (immediate handlers).
func domainNow<T>(_ body: () throws(DomainError) -> T) throws(RPCError) -> T {
    do {
        return try body()
    } catch {
        throw error.rpcError
    }
}

/// The normalised value of a param by its rule (which the registry has already checked, so a
/// violation here is reported the same way).
func validated<T>(_ field: String, _ value: String, _ check: (String) throws(RuleViolation) -> T) throws(DomainError) -> T {
    do throws(RuleViolation) {
        return try check(value)
    } catch {
        throw .validation([FieldIssue(field: field, message: error.message)])
    }
}

/// A param rule from a domain rule over strings: the rule's message on violation.
func rule<T>(_ check: @escaping @Sendable (String) throws(RuleViolation) -> T) -> @Sendable (JSON) -> String? {
    { value in
        guard case let .string(text) = value else { return nil }
        do throws(RuleViolation) {
            _ = try check(text)
            return nil
        } catch {
            return error.message
        }
    }
}

extension JSONObject {
    func string(_ key: String) -> String? { self[key]?.stringValue }
    func bool(_ key: String) -> Bool? { self[key]?.boolValue }

    /// Absent → nil, JSON null → `.null`, a string → `.value`.
    func nullableString(_ key: String) -> Nullable<String>? {
        switch self[key] {
        case nil: nil
        case .null?: .null
        case let .string(text)?: .value(text)
        default: nil
        }
    }
}

extension JSON {
    init(_ text: String?) { self = text.map { .string($0) } ?? .null }
    init(_ id: ID?) { self = id.map { .string($0.description) } ?? .null }
    init(_ time: Timestamp) { self = .string(time.description) }
    init(_ number: Int) { self = .number(JSONNumber(number)) }
}
