/// Turns one line into requests, following JSON-RPC 2.0 with SPEC §4's conveniences:
/// `"jsonrpc"` may be omitted (but must be "2.0" when present) and params must be an object.
public enum RPCDecoder {
    /// The most requests one batch may hold. A batch is answered element by element, each
    /// answer written and flow-controlled as it is produced, so this bounds the work one line can
    /// ask for rather than memory; a longer batch is refused whole, before anything runs.
    public static let maxBatch = 1000

    public static func decode(_ line: UnsafeRawBufferPointer) -> RPCMessage {
        if let request = JSON.parseRequestMembers(line).flatMap(request) { return .single(.request(request)) }
        return decodeTree(line)
    }

    /// A well-formed request read member by member (the common case), or nil when anything
    /// needs the general path's judgement; `envelope` would accept exactly this request.
    static func request(_ members: JSON.RequestMembers) -> RPCRequest? {
        if let version = members.jsonrpc, version != .string("2.0") { return nil }
        guard case let .string(method)? = members.method else { return nil }
        switch members.id {
        case nil, .null?, .string?, .number?: break
        default: return nil
        }
        switch members.params {
        case nil: return RPCRequest(id: members.id, method: method, params: [:])
        case let .object(params)?: return RPCRequest(id: members.id, method: method, params: params)
        default: return nil
        }
    }

    /// The general path: the whole line as a JSON value, then each request object checked.
    static func decodeTree(_ line: UnsafeRawBufferPointer) -> RPCMessage {
        let value: JSON
        do {
            value = try JSON.parse(line)
        } catch {
            return .failure(RPCError(code: -32700, message: "Parse error", data: ["detail": .string(error.description)]))
        }
        switch value {
        case let .array(elements):
            if elements.isEmpty { return .failure(.invalidRequest("empty batch")) }
            if elements.count > maxBatch { return .failure(.batchTooLarge(limit: maxBatch)) }
            return .batch(elements.map(envelope))
        default:
            return .single(envelope(value))
        }
    }

    /// Validates one request object. The id is echoed only when the rest of the envelope is
    /// valid enough to trust it, as JSON-RPC 2.0 §5 asks.
    static func envelope(_ value: JSON) -> RPCEnvelope {
        guard case let .object(object) = value else {
            return .invalid(id: .null, error: .invalidRequest("a request must be an object"))
        }
        if let version = object["jsonrpc"], version != .string("2.0") {
            return .invalid(id: .null, error: .invalidRequest("jsonrpc must be \"2.0\""))
        }
        guard case let .string(method)? = object["method"] else {
            return .invalid(id: .null, error: .invalidRequest("method must be a string"))
        }
        let id = object["id"]
        switch id {
        case nil, .null?, .string?, .number?: break
        default: return .invalid(id: .null, error: .invalidRequest("id must be a string, number or null"))
        }
        for (key, _) in object {
            switch key {
            case "jsonrpc", "method", "params", "id": continue
            default: return .invalid(id: id ?? .null, error: .invalidRequest("unknown member \"\(key)\""))
            }
        }
        switch object["params"] {
        case nil:
            return .request(RPCRequest(id: id, method: method, params: [:]))
        case let .object(params)?:
            return .request(RPCRequest(id: id, method: method, params: params))
        default:
            // A well-formed notification with bad params is still a notification: JSON-RPC
            // never answers those, errors included.
            guard let id else { return .ignoredNotification }
            return .invalid(id: id, error: .paramsNotObject)
        }
    }
}
