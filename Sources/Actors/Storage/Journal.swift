import Persistence

/// The actors' door to the write-ahead log: appends a record and maps a failed log to the 503 of
/// SPEC §5.4, so every write path reports a storage failure the same way.
public struct Journal: Sendable {
    public let wal: WriteAheadLog

    public init(wal: WriteAheadLog) { self.wal = wal }

    public func append(_ kind: String, at time: Timestamp, _ ops: [WALOp]) throws(DomainError) -> LSN {
        do {
            return try wal.append(WALRecord(kind: kind, timestampMs: time.milliseconds, ops: ops))
        } catch {
            throw DomainError(refusal: error)
        }
    }

    /// The newest LSN handed out: the fence for answers that may reflect any pending write.
    public var lastAssigned: LSN { wal.lastAssignedLSN }
}

extension DomainError {
    /// Why the log refused or failed a write, as the caller hears it.
    public init(refusal: WriteAheadLog.Failure) {
        switch refusal.kind {
        case .storage: self = .storageUnavailable
        case .notEnoughStandbys: self = .notEnoughStandbys
        case .notPrimary: self = .notPrimary
        }
    }
}
