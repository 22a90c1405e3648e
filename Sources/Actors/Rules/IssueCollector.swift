/// Accumulates `FieldIssue`s so a validator reports every failing field, not just the first
/// (SPEC §4: "every failing field, not just the first").
///
/// Typical use:
/// ```swift
/// var issues = IssueCollector()
/// let email = issues.check("email", raw, EmailRule.normalize)
/// let pw = issues.check("password", p, PasswordRule.validate)
/// try issues.finish()   // throws .validation([...]) when anything failed
/// ```
public struct IssueCollector: Sendable, Equatable {
    /// Issues recorded so far, in the order they were found (stable order makes responses
    /// and tests deterministic).
    public private(set) var issues: [FieldIssue] = []

    /// Creates an empty collector.
    public init() {}

    /// True when nothing has failed yet.
    public var isValid: Bool { issues.isEmpty }

    /// Records an issue at `path`.
    public mutating func add(_ path: [String], _ message: String) {
        issues.append(FieldIssue(path: path, message: message))
    }

    /// Records an issue for a top-level field.
    public mutating func add(field: String, _ message: String) {
        add([field], message)
    }

    /// Runs one rule; on success returns its value, on failure records the issue under `field`
    /// and returns nil so validation can continue with the next field.
    public mutating func check<T>(_ field: String, _ rule: () throws(RuleViolation) -> T) -> T? {
        check(path: [field], rule)
    }

    /// Applies a rule function to one input: `issues.check("email", raw, EmailRule.normalize)`.
    /// (Closures passed to the other overloads need an explicit `() throws(RuleViolation) in`,
    /// since Swift does not infer typed throws for them; a function reference needs nothing.)
    public mutating func check<Input, T>(
        _ field: String, _ input: Input, _ rule: (Input) throws(RuleViolation) -> T
    ) -> T? {
        check(path: [field]) { () throws(RuleViolation) in try rule(input) }
    }

    /// Like `check(_:_:)` with an explicit, possibly nested, path.
    public mutating func check<T>(path: [String], _ rule: () throws(RuleViolation) -> T) -> T? {
        do {
            return try rule()
        } catch {
            add(path, error.message)
            return nil
        }
    }

    /// Throws `DomainError.validation` with every recorded issue, or returns when there are none.
    public func finish() throws(DomainError) {
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}
