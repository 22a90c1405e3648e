import Protocol

/// Turns the bytes of a watch stream, in chunks as they arrive, into what the watcher must do.
/// The gateway writes one JSON message per line: `{"result":{…}}` (created, events, progress,
/// canceled) or `{"error":{…}}`; a chunk may hold part of a line or several.
struct EtcdWatchDecoder {
    enum Message: Sendable, Equatable {
        /// etcd accepted the watch; events follow.
        case created
        case events([EtcdWatchEvent])
        /// etcd ended the watch, or sent something this decoder cannot read; nothing follows.
        case ended(EtcdError)
    }

    /// Bytes of a line not yet complete.
    private var pending: [UInt8] = []
    /// A longer line is not etcd's (its requests are limited to 1.5 MiB, its watch answers to what
    /// one revision changed): stop rather than buffer without bound.
    static let maxLine = 64 << 20

    mutating func feed(_ chunk: some Collection<UInt8>) -> [Message] {
        var messages: [Message] = []
        var rest = chunk[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: rest[..<newline])
            rest = rest[rest.index(after: newline)...]
            let line = pending
            pending.removeAll(keepingCapacity: true)
            messages.append(contentsOf: Self.messages(line))
            if case .ended = messages.last { return messages }
        }
        pending.append(contentsOf: rest)
        if pending.count > Self.maxLine {
            messages.append(.ended(EtcdError(.badAnswer, "a watch message longer than \(Self.maxLine) bytes")))
        }
        return messages
    }

    /// What is left when the stream ends: an error answer need not end with a newline.
    mutating func finish() -> [Message] {
        defer { pending = [] }
        return Self.messages(pending)
    }

    /// What one line says: nothing for a blank line or a progress notification.
    static func messages(_ line: [UInt8]) -> [Message] {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return [] }
        guard let json = try? JSON.parse(line), json.objectValue != nil else {
            return [.ended(EtcdError(.badAnswer, "watch message is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))"))]
        }
        if let error = EtcdWire.error(json) { return [.ended(error)] }
        guard let result = json["result"], result.objectValue != nil else {
            return [.ended(EtcdError(.badAnswer, "watch message without a result: \(json)"))]
        }
        do throws(EtcdError) {
            if result["canceled"]?.boolValue == true {
                let reason = result["cancel_reason"]?.stringValue ?? "watch canceled by etcd"
                let compacted = try EtcdWire.int64(result["compact_revision"], "compact_revision")
                return [.ended(compacted > 0 ? EtcdError(.compacted(revision: compacted), reason) : EtcdError(.server(code: -1), reason))]
            }
            var messages: [Message] = []
            if result["created"]?.boolValue == true { messages.append(.created) }
            let events = try (result["events"]?.arrayValue ?? []).map(event)
            if !events.isEmpty { messages.append(.events(events)) }
            return messages
        } catch {
            return [.ended(error)]
        }
    }

    /// `type` is PUT (left out, being the enum's zero value) or DELETE; a delete's kv holds only
    /// the key and the revision of the delete.
    private static func event(_ json: JSON) throws(EtcdError) -> EtcdWatchEvent {
        guard let kv = json["kv"] else { throw EtcdError(.badAnswer, "watch event without kv: \(json)") }
        switch json["type"]?.stringValue ?? "PUT" {
        case "PUT":
            return .put(try EtcdWire.keyValue(kv))
        case "DELETE":
            let key = String(decoding: try EtcdWire.bytes(kv["key"], "key"), as: UTF8.self)
            return .delete(key: key, modRevision: try EtcdWire.int64(kv["mod_revision"], "mod_revision"))
        default:
            throw EtcdError(.badAnswer, "unknown watch event type: \(json)")
        }
    }
}
