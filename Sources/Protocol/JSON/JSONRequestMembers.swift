#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSON {
    /// The members of a JSON-RPC request object, read without building the object.
    struct RequestMembers {
        var jsonrpc: JSON?
        var id: JSON?
        var method: JSON?
        var params: JSON?
    }

    /// Reads `bytes` as one object whose keys are among JSON-RPC's four (`jsonrpc`, `id`,
    /// `method`, `params`), each at most once and written without escapes — what every client
    /// sends. Anything else gives nil, invalid JSON included: the caller then parses the general
    /// way, which gives every other input its exact answer (so this needs no error handling of
    /// its own). Values are parsed in full, with the same rules as `parse`.
    ///
    /// Building the envelope object, looking its members up and freeing it cost a sixth of
    /// decoding a request (`bench/scripts/instructions.py`).
    static func parseRequestMembers(_ bytes: UnsafeRawBufferPointer) -> RequestMembers? {
        bytes.withMemoryRebound(to: UInt8.self) { typed in
            var parser = JSONParser(bytes: typed, maxDepth: defaultMaxDepth)
            return parser.parseRequestMembers()
        }
    }
}

extension JSONParser {
    mutating func parseRequestMembers() -> JSON.RequestMembers? {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "{") else { return nil }
        var members = JSON.RequestMembers()
        do {
            try enterContainer()
            while true {
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
                offset += 1
                guard let key = requestKey() else { return nil }
                skipWhitespace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { return nil }
                offset += 1
                let value = try parseValue()
                switch key {
                case .jsonrpc where members.jsonrpc == nil: members.jsonrpc = value
                case .id where members.id == nil: members.id = value
                case .method where members.method == nil: members.method = value
                case .params where members.params == nil: members.params = value
                default: return nil  // a duplicate: the general parser reports it
                }
                if try consumeSeparator(closing: UInt8(ascii: "}"), "") { break }
            }
        } catch {
            return nil
        }
        skipWhitespace()
        return offset == bytes.count ? members : nil
    }

    private enum RequestKey { case jsonrpc, id, method, params }

    /// The key starting at `offset` (just past its opening quote) if it is one of the four,
    /// stepping past its closing quote.
    private mutating func requestKey() -> RequestKey? {
        func matches(_ quoted: StaticString) -> Bool {
            let length = quoted.utf8CodeUnitCount
            guard bytes.count - offset >= length, memcmp(bytes.baseAddress! + offset, quoted.utf8Start, length) == 0 else { return false }
            offset += length
            return true
        }
        if matches("method\"") { return .method }
        if matches("params\"") { return .params }
        if matches("id\"") { return .id }
        if matches("jsonrpc\"") { return .jsonrpc }
        return nil
    }
}
