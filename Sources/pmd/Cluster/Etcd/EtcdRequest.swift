import Protocol

/// One call to etcd's JSON gateway: the path under an endpoint and the JSON body to POST. Built
/// here as plain values so the wire format is tested without an etcd.
struct EtcdRequest: Sendable, Equatable {
    var path: String
    var body: JSON

    /// Sent with every call. `hasleader` (gRPC metadata, through the gateway's `Grpc-Metadata-`
    /// prefix) makes a member cut off from the cluster's leader refuse at once with "no leader",
    /// so the next endpoint is tried instead of waiting out the timeout, and cancel a watch it can
    /// no longer feed instead of keeping it open and silent.
    static let headers = [("Content-Type", "application/json"), ("Grpc-Metadata-hasleader", "true")]

    static func get(_ key: String) -> EtcdRequest {
        EtcdRequest(path: "/v3/kv/range", body: ["key": EtcdWire.key(key)])
    }

    static func getPrefix(_ prefix: String) -> EtcdRequest {
        let range = prefixRange(prefix)
        return EtcdRequest(path: "/v3/kv/range", body: ["key": range.key, "range_end": range.end])
    }

    static func put(_ key: String, _ value: [UInt8], lease: Int64?) -> EtcdRequest {
        EtcdRequest(path: "/v3/kv/put", body: .object(putFields(key, value, lease: lease)))
    }

    static func delete(_ key: String) -> EtcdRequest {
        EtcdRequest(path: "/v3/kv/deleterange", body: ["key": EtcdWire.key(key)])
    }

    static func txn(_ compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) -> EtcdRequest {
        EtcdRequest(
            path: "/v3/kv/txn",
            body: [
                "compare": .array(compare.map(json)),
                "success": .array(success.map(json)),
                "failure": .array(failure.map(json)),
            ])
    }

    static func grantLease(ttlSeconds: Int) -> EtcdRequest {
        EtcdRequest(path: "/v3/lease/grant", body: ["TTL": EtcdWire.int64(Int64(ttlSeconds))])
    }

    /// LeaseKeepAlive is a bidirectional stream; through the gateway a body holding one request is
    /// a stream of one, which etcd answers with one result line before the stream ends.
    static func keepAlive(_ lease: Int64) -> EtcdRequest {
        EtcdRequest(path: "/v3/lease/keepalive", body: ["ID": EtcdWire.int64(lease)])
    }

    static func revoke(_ lease: Int64) -> EtcdRequest {
        EtcdRequest(path: "/v3/lease/revoke", body: ["ID": EtcdWire.int64(lease)])
    }

    /// Unlike keepalive, a watch outlives its request: etcd keeps sending events on the stream
    /// after the gateway has read the one create request.
    static func watch(prefix: String, fromRevision: Int64) -> EtcdRequest {
        let range = prefixRange(prefix)
        return EtcdRequest(
            path: "/v3/watch",
            body: ["create_request": ["key": range.key, "range_end": range.end, "start_revision": EtcdWire.int64(fromRevision)]])
    }

    // MARK: - Parts

    /// An empty prefix is every key: etcd has no empty key, so the range starts at "\0".
    private static func prefixRange(_ prefix: String) -> (key: JSON, end: JSON) {
        let bytes = Array(prefix.utf8)
        return (EtcdWire.bytes(bytes.isEmpty ? [0] : bytes), EtcdWire.bytes(EtcdKeyRange.prefixEnd(bytes)))
    }

    private static func putFields(_ key: String, _ value: [UInt8], lease: Int64?) -> JSONObject {
        var fields: JSONObject = ["key": EtcdWire.key(key), "value": EtcdWire.bytes(value)]
        if let lease { fields["lease"] = EtcdWire.int64(lease) }
        return fields
    }

    private static func json(_ compare: EtcdCompare) -> JSON {
        // Field names and enum names as in etcd's rpc.proto (Compare.CompareTarget).
        switch compare {
        case .createRevision(let key, let revision):
            ["key": EtcdWire.key(key), "result": "EQUAL", "target": "CREATE", "create_revision": EtcdWire.int64(revision)]
        case .modRevision(let key, let revision):
            ["key": EtcdWire.key(key), "result": "EQUAL", "target": "MOD", "mod_revision": EtcdWire.int64(revision)]
        case .value(let key, let value):
            ["key": EtcdWire.key(key), "result": "EQUAL", "target": "VALUE", "value": EtcdWire.bytes(value)]
        case .version(let key, let version):
            ["key": EtcdWire.key(key), "result": "EQUAL", "target": "VERSION", "version": EtcdWire.int64(version)]
        }
    }

    private static func json(_ operation: EtcdOperation) -> JSON {
        switch operation {
        case .put(let key, let value, let lease): ["request_put": .object(putFields(key, value, lease: lease))]
        case .delete(let key): ["request_delete_range": ["key": EtcdWire.key(key)]]
        case .get(let key): ["request_range": ["key": EtcdWire.key(key)]]
        }
    }
}
