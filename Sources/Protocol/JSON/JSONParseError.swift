/// Why a byte sequence is not a single valid JSON value, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short human-readable reason, e.g. `"duplicate key"`.
    public let message: String
    /// The zero-based byte offset in the input where the problem was found.
    public let offset: Int

    /// Creates an error with a reason and the byte offset it refers to.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }
}
