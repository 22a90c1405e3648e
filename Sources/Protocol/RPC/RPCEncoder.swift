import NIOCore

/// Writes JSON-RPC responses as single lines. Responses always carry `"jsonrpc":"2.0"`.
public enum RPCEncoder {
    /// One complete success line, in the buffer the connection writes. A pre-serialised result
    /// is assembled with the envelope in a `JSONWriter` and copied to the buffer in one piece:
    /// `ByteBuffer`'s small writes cost 100+ instructions each.
    public static func line(id: JSON, result: RPCResult) -> ByteBuffer {
        guard let raw = result.raw else {
            var out: [UInt8] = []
            out.reserveCapacity(256)
            success(id: id, result: result, into: &out)
            out.append(UInt8(ascii: "\n"))
            return ByteBuffer(bytes: out)
        }
        var line = JSONWriter(capacity: raw.count + 64)
        line.append(literal: #"{"jsonrpc":"2.0","result":"#)
        raw.withUnsafeBytes { line.append(bytes: $0) }
        line.append(literal: #","id":"#)
        if case let .number(number) = id {
            line.append(utf8: number.text)  // the usual id, without serialising it apart
        } else {
            id.serialized.withUnsafeBytes { line.append(bytes: $0) }
        }
        line.append(literal: "}\n")
        return line.finishBuffer()
    }

    public static func success(id: JSON, result: JSON, into out: inout [UInt8]) {
        success(id: id, result: RPCResult(result), into: &out)
    }

    /// A handler's result, written from its JSON value or its pre-serialised bytes.
    public static func success(id: JSON, result: RPCResult, into out: inout [UInt8]) {
        out.append(literal: #"{"jsonrpc":"2.0","result":"#)
        if let raw = result.raw {
            out.append(contentsOf: raw)
        } else {
            result.value.write(into: &out)
        }
        out.append(literal: #","id":"#)
        id.write(into: &out)
        out.append(UInt8(ascii: "}"))
    }

    public static func failure(id: JSON, error: RPCError, into out: inout [UInt8]) {
        out.append(literal: #"{"jsonrpc":"2.0","error":{"code":"#)
        out.append(utf8: String(error.code))
        out.append(literal: #","message":"#)
        JSON.string(error.message).write(into: &out)
        if let data = error.data {
            out.append(literal: #","data":"#)
            data.write(into: &out)
        }
        out.append(literal: #"},"id":"#)
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
