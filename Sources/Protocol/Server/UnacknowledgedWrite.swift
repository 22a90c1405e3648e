import Persistence

extension RPCError {
    /// The answer to a write that was waiting to be acknowledged when the log said it would not be.
    public init(unacknowledged failure: WriteAheadLog.Failure) {
        switch failure.kind {
        case .storage: self = .unsaved
        case .notEnoughStandbys: self = .application(code: 503, kind: "unavailable", message: "Not enough standbys")
        case .notPrimary: self = .application(code: 421, kind: "not_primary", message: "Not the primary", extra: ["primary": .null])
        }
    }
}
