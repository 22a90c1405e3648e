/// A change seen by a watch.
enum EtcdWatchEvent: Sendable, Equatable {
    case put(EtcdKeyValue)
    case delete(key: String, modRevision: Int64)
}
