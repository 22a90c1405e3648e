/// Why one configuration value was rejected, phrased as what was expected.
///
/// A parser never quotes the value it rejects: the value is added when the problem is
/// rendered (see ``ConfigProblem``), so that one place decides whether it may be echoed —
/// secrets never are.
struct ParseFailure: Error, Sendable, Equatable {
    /// What a valid value looks like; rendered as `expected <this>, got "…"`.
    let expected: String
    /// Extra context rendered after the value, e.g. `no such file`.
    let note: String?

    init(expected: String, note: String? = nil) {
        self.expected = expected
        self.note = note
    }
}
