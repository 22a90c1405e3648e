import Persistence

/// The periodic clean-up: sessions and password resets that expired without being touched again
/// are deleted from memory and disk, so neither grows with dead entries (SPEC §5.5), and the
/// login throttle forgets failures older than its window.
extension Identity {
    /// Most rows one sweep record deletes, so one sweep never makes a huge commit; the caller
    /// sweeps again while a sweep comes back full.
    public static let sweepBatch = 1000

    /// Deletes up to `sweepBatch` expired sessions and as many expired resets in one WAL
    /// record. Returns how many rows it deleted.
    @discardableResult
    public func sweep(now: Timestamp = .now()) -> Int {
        throttle.prune(at: now)
        let (sessions, resets) = state.expired(at: now, limit: Self.sweepBatch)
        guard !sessions.isEmpty || !resets.isEmpty else { return 0 }
        do {
            _ = try journal.append("identity.sweep", at: now, sessions.map(\.delete) + resets.map(\.delete))
        } catch {
            // Storage has failed (fail-stop): memory must keep matching the disk.
            return 0
        }
        for session in sessions { state.removeSession(session.tokenHash) }
        for reset in resets { state.removeReset(of: reset.userID) }
        return sessions.count + resets.count
    }
}
