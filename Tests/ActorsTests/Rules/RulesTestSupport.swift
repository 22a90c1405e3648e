@testable import Actors

/// Helpers for the rule tests. Namespaced so they cannot clash with other ActorsTests helpers.
enum RulesTestSupport {
    /// The value a rule returns, or the message it rejected the input with.
    enum Outcome<T: Equatable>: Equatable {
        case ok(T)
        case rejected(String)
    }

    static func run<T: Equatable>(_ rule: () throws(RuleViolation) -> T) -> Outcome<T> {
        do { return .ok(try rule()) } catch { return .rejected(error.message) }
    }

    /// The issues of a `validation_failed` error, or nil when `body` succeeded or failed otherwise.
    static func issues<T>(_ body: () throws(DomainError) -> T) -> [FieldIssue]? {
        do {
            _ = try body()
            return nil
        } catch {
            guard case .validation(let issues) = error else { return nil }
            return issues
        }
    }

    /// The error `body` threw, or nil when it succeeded.
    static func error<T>(_ body: () throws(DomainError) -> T) -> DomainError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    static func paths(_ issues: [FieldIssue]?) -> [[String]]? { issues?.map(\.path) }
}
