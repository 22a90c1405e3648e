import Persistence

/// What the protocol layer needs from the write-ahead log: a fence to wait on before sending.
public protocol Durability: Sendable {
    /// The newest LSN handed out; error replies wait for it, because an error (say "Email already
    /// registered") may reflect a write that is not durable yet.
    var lastAssignedLSN: LSN { get }
    var durableLSN: LSN { get }
    func waitDurable(_ lsn: LSN) async throws(WriteAheadLog.Failure)
    /// Calls back once `lsn` is durable (nil) or can no longer become durable (the failure).
    func whenDurable(_ lsn: LSN, _ callback: @escaping @Sendable (WriteAheadLog.Failure?) -> Void)
}

extension WriteAheadLog: Durability {}
