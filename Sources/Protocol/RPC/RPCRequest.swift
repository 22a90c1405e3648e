/// One well-formed JSON-RPC request or notification.
public struct RPCRequest: Sendable {
    /// The request id exactly as sent (string, number with its original text, or null);
    /// `nil` marks a notification, which gets no response.
    public let id: JSON?
    public let method: String
    /// The params object; omitted params are `{}`.
    public let params: JSONObject

    public var isNotification: Bool { id == nil }
}

/// What one element of a line (a single request, or one member of a batch) turned out to be.
public enum RPCEnvelope: Sendable {
    case request(RPCRequest)
    /// Not a valid request; answered with `error` and `id` (null when the id could not be read).
    case invalid(id: JSON, error: RPCError)
    /// A notification that cannot be executed (its params are not an object); not answered.
    case ignoredNotification
}

/// A decoded line: one envelope, a batch of them, or a line-level error (parse error, empty batch).
public enum RPCMessage: Sendable {
    case single(RPCEnvelope)
    case batch([RPCEnvelope])
    case failure(RPCError)
}
