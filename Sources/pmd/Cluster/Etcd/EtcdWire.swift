import Actors
import Protocol

/// The JSON gateway's conventions (proto3's JSON mapping, as Go writes it): bytes are padded
/// base64, 64-bit integers are strings, and a field holding its zero value (0, false, empty bytes,
/// the first enum case) is left out.
enum EtcdWire {
    static func bytes(_ bytes: [UInt8]) -> JSON {
        .string(Base64.encodePadded(bytes))
    }

    static func key(_ key: String) -> JSON {
        bytes(Array(key.utf8))
    }

    static func int64(_ value: Int64) -> JSON {
        .string(String(value))
    }

    /// A bytes field; absent means empty.
    static func bytes(_ field: JSON?, _ name: String) throws(EtcdError) -> [UInt8] {
        guard let field else { return [] }
        guard let text = field.stringValue, let bytes = Base64.decodePadded(text) else {
            throw EtcdError(.badAnswer, "\(name) is not base64: \(field)")
        }
        return bytes
    }

    /// A 64-bit integer field; absent means 0. Accepts a JSON number too, which Go also reads.
    static func int64(_ field: JSON?, _ name: String) throws(EtcdError) -> Int64 {
        guard let field else { return 0 }
        let text = field.stringValue ?? field.numberValue?.text
        guard let text, let value = Int64(text) else { throw EtcdError(.badAnswer, "\(name) is not an integer: \(field)") }
        return value
    }

    static func keyValue(_ json: JSON) throws(EtcdError) -> EtcdKeyValue {
        guard json.objectValue != nil else { throw EtcdError(.badAnswer, "a key-value is not an object: \(json)") }
        return EtcdKeyValue(
            key: String(decoding: try bytes(json["key"], "key"), as: UTF8.self),
            value: try bytes(json["value"], "value"),
            createRevision: try int64(json["create_revision"], "create_revision"),
            modRevision: try int64(json["mod_revision"], "mod_revision"),
            version: try int64(json["version"], "version"),
            lease: try int64(json["lease"], "lease"))
    }

    /// The `kvs` of a range answer (absent when no key matched).
    static func keyValues(_ json: JSON) throws(EtcdError) -> [EtcdKeyValue] {
        guard let kvs = json["kvs"] else { return [] }
        guard let array = kvs.arrayValue else { throw EtcdError(.badAnswer, "kvs is not an array: \(kvs)") }
        var values: [EtcdKeyValue] = []
        values.reserveCapacity(array.count)
        for kv in array { values.append(try keyValue(kv)) }
        return values
    }

    /// The store revision every answer's header carries.
    static func revision(_ json: JSON) throws(EtcdError) -> Int64 {
        try int64(json["header"]?["revision"], "header.revision")
    }

    /// etcd's error in either of the gateway's shapes: a unary call's
    /// `{"error":"…","message":"…","code":5}` or a stream's
    /// `{"error":{"grpc_code":5,"http_code":404,"message":"…","http_status":"Not Found"}}`.
    /// `nil` when `json` carries no error.
    static func error(_ json: JSON) -> EtcdError? {
        guard let error = json["error"] else { return nil }
        if let detail = error.objectValue {
            let code = detail["grpc_code"]?.intValue ?? -1
            return EtcdError(.server(code: code), detail["message"]?.stringValue ?? error.description)
        }
        let code = json["code"]?.intValue ?? -1
        return EtcdError(.server(code: code), json["message"]?.stringValue ?? error.stringValue ?? error.description)
    }
}
