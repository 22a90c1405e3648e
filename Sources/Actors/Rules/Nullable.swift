/// A parameter that was present on the wire, either as JSON `null` or as a value.
///
/// Used as `Nullable<T>?` for clearable fields, so three states stay distinct:
/// `nil` = field absent (leave unchanged), `.null` = clear it, `.value(v)` = set it.
public enum Nullable<Wrapped: Sendable & Equatable>: Sendable, Equatable {
    case null
    case value(Wrapped)
}
