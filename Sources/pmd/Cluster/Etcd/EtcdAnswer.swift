import Actors
import Protocol

/// Reading what an endpoint said: whether the call is done, and what the answer means.
enum EtcdAnswer {
    /// What one endpoint's outcome means for the call.
    enum Verdict: Equatable {
        /// etcd answered; for a stream, the first message's `result`.
        case answer(JSON)
        /// This endpoint cannot serve now (no connection, timeout, a member without a leader):
        /// another one may.
        case tryNext(reason: String)
        /// A final answer that is an error: asking another member would get the same.
        case fail(EtcdError)
    }

    /// - Parameter stream: the call is one of the gateway's streaming RPCs (lease keepalive), whose
    ///   body is newline-delimited `{"result":…}` or `{"error":…}` messages; the first one counts.
    static func verdict(_ outcome: HTTPOutcome, stream: Bool = false) -> Verdict {
        switch outcome {
        case .failed(_, let reason):
            return .tryNext(reason: reason)
        case .response(let status, _, let body):
            let message = stream ? Array(body.split(separator: UInt8(ascii: "\n"), maxSplits: 1).first ?? []) : body
            guard let json = try? JSON.parse(message), json.objectValue != nil else {
                if status >= 500 { return .tryNext(reason: "HTTP status \(status)") }
                return .fail(EtcdError(.badAnswer, "HTTP status \(status), body \(String(decoding: body.prefix(200), as: UTF8.self))"))
            }
            if let error = EtcdWire.error(json) {
                if error.kind == .server(code: EtcdError.unavailableCode) || status == 503 { return .tryNext(reason: error.message) }
                return .fail(error)
            }
            guard status == 200 else { return .fail(EtcdError(.badAnswer, "HTTP status \(status): \(json)")) }
            guard stream else { return .answer(json) }
            guard let result = json["result"], result.objectValue != nil else {
                return .fail(EtcdError(.badAnswer, "a stream message without a result: \(json)"))
            }
            return .answer(result)
        }
    }

    static func txn(_ json: JSON, success: [EtcdOperation], failure: [EtcdOperation]) throws(EtcdError) -> EtcdTxnResult {
        let succeeded = json["succeeded"]?.boolValue ?? false
        let operations = succeeded ? success : failure
        let responses = json["responses"]?.arrayValue ?? []
        guard responses.count == operations.count else {
            throw EtcdError(.badAnswer, "\(responses.count) responses to \(operations.count) operations: \(json)")
        }
        var gets: [[EtcdKeyValue]] = []
        for (operation, response) in zip(operations, responses) {
            guard case .get = operation else { continue }
            guard let range = response["response_range"] else {
                throw EtcdError(.badAnswer, "a get answered without response_range: \(response)")
            }
            gets.append(try EtcdWire.keyValues(range))
        }
        return EtcdTxnResult(succeeded: succeeded, revision: try EtcdWire.revision(json), gets: gets)
    }

    static func leaseGrant(_ json: JSON) throws(EtcdError) -> (id: Int64, ttlSeconds: Int) {
        // LeaseGrantResponse has an `error` string of its own besides gRPC's status.
        if let error = json["error"]?.stringValue, !error.isEmpty { throw EtcdError(.server(code: -1), error) }
        let id = try EtcdWire.int64(json["ID"], "ID")
        guard id != 0 else { throw EtcdError(.badAnswer, "lease grant without an ID: \(json)") }
        return (id, Int(try EtcdWire.int64(json["TTL"], "TTL")))
    }

    /// The TTL left after a keepalive; etcd answers an unknown or expired lease with TTL 0
    /// (left out of the JSON), not an error.
    static func keepAlive(_ result: JSON) throws(EtcdError) -> Int {
        max(0, Int(try EtcdWire.int64(result["TTL"], "TTL")))
    }
}
