/// The declared shape of one named parameter: its JSON type, whether it must be present,
/// whether `null` is accepted, and an optional domain rule checked once the type is right.
public struct ParamSpec: Sendable {
    public enum Kind: String, Sendable {
        case string, boolean, integer, number, object, array, any
    }

    public let name: String
    public let kind: Kind
    public let required: Bool
    public let nullable: Bool
    public let summary: String
    /// Returns a message when the (well-typed, non-null) value breaks a rule.
    public let rule: (@Sendable (JSON) -> String?)?

    public init(
        _ name: String, _ kind: Kind, required: Bool = false, nullable: Bool = false,
        summary: String = "", rule: (@Sendable (JSON) -> String?)? = nil
    ) {
        self.name = name
        self.kind = kind
        self.required = required
        self.nullable = nullable
        self.summary = summary
        self.rule = rule
    }

    /// A message when `value` does not have this parameter's type.
    func typeProblem(_ value: JSON) -> String? {
        if value.isNull { return nullable ? nil : "Must not be null" }
        switch (kind, value) {
        case (.any, _), (.string, .string), (.boolean, .bool), (.object, .object), (.array, .array):
            return nil
        case let (.integer, .number(number)):
            return number.int == nil ? "Expected an integer" : nil
        case (.number, .number):
            return nil
        case (.integer, _):
            return "Expected an integer"
        case (.boolean, _):
            return "Expected a boolean"
        default:
            return "Expected \(kind == .array || kind == .object ? "an" : "a") \(kind.rawValue)"
        }
    }
}
