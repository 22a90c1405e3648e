/// Writes JSON-RPC responses as single lines. Responses always carry `"jsonrpc":"2.0"`.
public enum RPCEncoder {
    public static func success(id: JSON, result: JSON, into out: inout [UInt8]) {
        success(id: id, result: RPCResult(result), into: &out)
    }

    /// A handler's result, written from its JSON value or its pre-serialised bytes.
    public static func success(id: JSON, result: RPCResult, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","result":"#.utf8)
        if let raw = result.raw {
            out.append(contentsOf: raw)
        } else {
            result.value.write(into: &out)
        }
        out.append(contentsOf: #","id":"#.utf8)
        id.write(into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public static func failure(id: JSON, error: RPCError, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","error":{"code":"#.utf8)
        out.append(contentsOf: String(error.code).utf8)
        out.append(contentsOf: #","message":"#.utf8)
        JSON.string(error.message).write(into: &out)
        if let data = error.data {
            out.append(contentsOf: #","data":"#.utf8)
            data.write(into: &out)
        }
        out.append(contentsOf: #"},"id":"#.utf8)
        id.write(into: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// One complete line for a single response.
    public static func line(id: JSON, outcome: Result<JSON, RPCError>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        switch outcome {
        case let .success(result): success(id: id, result: result, into: &out)
        case let .failure(error): failure(id: id, error: error, into: &out)
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }
}
