/// One failing field of a request: an entry of `data.errors` in a `validation_failed` error (SPEC §4).
///
/// `path` names the offending parameter (`["email"]`); an empty path means the request as a
/// whole (e.g. "At least one field must be provided").
public struct FieldIssue: Sendable, Equatable, Hashable, Codable {
    /// Where the problem is, outermost key first; `[]` for the whole params object.
    public var path: [String]
    /// A short human sentence, safe to show to the end user.
    public var message: String

    /// Creates an issue at an explicit path.
    public init(path: [String], message: String) {
        self.path = path
        self.message = message
    }

    /// Creates an issue for one top-level parameter.
    public init(field: String, message: String) {
        self.init(path: [field], message: message)
    }
}

/// Why a single value was rejected, without knowing which field it came from.
///
/// Rules throw this (typed throws) so they stay reusable: the same password rule serves
/// `password`, `newPassword`; the caller's `IssueCollector` supplies the path.
public struct RuleViolation: Error, Sendable, Equatable {
    /// The human message that ends up in `FieldIssue.message`.
    public var message: String

    /// Creates a violation with a human message.
    public init(_ message: String) {
        self.message = message
    }
}
