import Protocol

/// A plain request/response JSON-RPC client over a blocking socket, for the untimed parts of a
/// run: setup (signups, logins, tenants), `rpc.methods` and `system.stats`.
final class RPCClient {
    struct CallError: Error, CustomStringConvertible {
        var method: String
        var message: String
        var description: String { "\(method): \(message)" }
    }

    let socket: Socket
    private let lines = LineBuffer(capacity: 16 * 1024)
    private var nextID = 1

    /// Connects, and authenticates with `key` when given (`rpc.auth` must come first).
    init(address: Address, key: String?) throws {
        socket = try Socket(connectingTo: address)
        socket.setReceiveTimeout(seconds: 120)
        if let key { _ = try call("rpc.auth", ["key": .string(key)]) }
    }

    /// The `result` of one call; throws on an error response.
    func call(_ method: String, _ params: JSONObject = [:]) throws -> JSON {
        let id = nextID
        nextID += 1
        let request: JSON = ["jsonrpc": "2.0", "id": .number(JSONNumber(id)), "method": .string(method), "params": .object(params)]
        var out = request.serialized
        out.append(0x0a)
        try socket.writeAll(out)
        while true {
            if let line = lines.takeLine() {
                let response = try JSON.parse(line)
                if let error = response["error"] {
                    throw CallError(method: method, message: error.compactString)
                }
                guard let result = response["result"] else {
                    throw CallError(method: method, message: "response without result: \(response.compactString)")
                }
                return result
            }
            let n = try lines.withFreeSpace { (space) throws(Socket.Failure) in try socket.read(into: space) }
            if n == 0 { throw CallError(method: method, message: "connection closed by pmd") }
        }
    }
}
