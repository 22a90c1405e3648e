/// A JSON-RPC error object: the standard protocol errors (SPEC §4) and application errors, which
/// use an HTTP status as `code` and carry `data.kind`.
public struct RPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseError = RPCError(code: -32700, message: "Parse error")
    public static func invalidRequest(_ detail: String? = nil) -> RPCError {
        RPCError(code: -32600, message: "Invalid Request", data: detail.map { ["detail": .string($0)] })
    }
    public static let requestTooLarge = RPCError(code: -32600, message: "Request too large")
    public static func batchTooLarge(limit: Int) -> RPCError {
        RPCError(
            code: -32600, message: "Batch too large",
            data: ["detail": .string("at most \(limit) requests per batch"), "limit": .number(JSONNumber(limit))])
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, message: "Method not found", data: ["method": .string(method)])
    }
    public static let paramsNotObject = RPCError(code: -32602, message: "Invalid params: params must be an object")
    public static let internalError = RPCError(code: 500, message: "Internal error", data: ["kind": "internal"])

    /// An application error in SPEC §4's shape: `data` holds `kind` plus any extra members.
    public static func application(code: Int, kind: String, message: String, extra: JSONObject = [:]) -> RPCError {
        var data: JSONObject = ["kind": .string(kind)]
        for (key, value) in extra { data[key] = value }
        return RPCError(code: code, message: message, data: .object(data))
    }

    /// 400 `validation_failed` listing every failing field.
    public static func validation(_ issues: [(path: [String], message: String)]) -> RPCError {
        let errors: [JSON] = issues.map { issue in
            ["path": .array(issue.path.map { .string($0) }), "message": .string(issue.message)]
        }
        return application(code: 400, kind: "validation_failed", message: "Validation failed", extra: ["errors": .array(errors)])
    }

    /// What a reply that was waiting for the log becomes when the log failed first.
    public static let unsaved = application(code: 503, kind: "unavailable", message: "Persistence failed; the write was not saved")

    public static let authenticationRequired = application(code: 401, kind: "unauthorized", message: "Authentication required")
}
