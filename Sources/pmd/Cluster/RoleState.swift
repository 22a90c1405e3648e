import Persistence
import Protocol
import Synchronization

/// What this node is in its cluster right now, shared by the control loop (which changes it) and
/// every request (which asks the gate). The gate is on the path of every request, so it is an
/// atomic load and a clock read: a primary serves only until its lease deadline (`LeaseClock`),
/// which the control loop moves forward after each renewal.
final class RoleState: Sendable {
    enum Role: String, Sendable {
        case primary, standby, candidate
    }

    struct View: Sendable {
        var role: Role = .candidate
        var term: UInt64 = 0
        /// The primary's advertised address, when known (`data.primary` of a 421).
        var primary: String?
        var primaryNode: String?
    }

    private let base = ContinuousClock.now
    /// Nanoseconds after `base` until which this node serves as primary; 0 when it does not.
    private let servingUntil = Atomic<Int64>(0)
    private let view = Mutex(View())
    /// The 421 answered now, made when the primary changes rather than per request.
    private let refusal = Mutex(RoleState.notPrimary(nil))

    static func notPrimary(_ primary: String?) -> RPCError {
        .application(code: 421, kind: "not_primary", message: "Not the primary", extra: ["primary": primary.map { .string($0) } ?? .null])
    }

    var current: View { view.withLock { $0 } }

    /// The registry's gate: nil while this node serves as primary, else the 421 to answer.
    func gate() -> RPCError? {
        let until = servingUntil.load(ordering: .acquiring)
        if until != 0, nanoseconds(ContinuousClock.now) < until { return nil }
        return refusal.withLock { $0 }
    }

    /// Whether this node may acknowledge and answer as primary at this instant.
    var serving: Bool {
        let until = servingUntil.load(ordering: .acquiring)
        return until != 0 && nanoseconds(ContinuousClock.now) < until
    }

    func become(_ role: Role, term: UInt64, primary: String?, primaryNode: String?) {
        view.withLock { $0 = View(role: role, term: term, primary: primary, primaryNode: primaryNode) }
        refusal.withLock { $0 = Self.notPrimary(role == .primary ? nil : primary) }
        if role != .primary { servingUntil.store(0, ordering: .releasing) }
    }

    /// The primary may serve until `deadline` (after a renewal of its lease).
    func serve(until deadline: ContinuousClock.Instant) {
        servingUntil.store(max(nanoseconds(deadline), 1), ordering: .releasing)
    }

    /// The primary stops serving at once (lease in doubt, or lost).
    func stopServing() { servingUntil.store(0, ordering: .releasing) }

    private func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let elapsed = instant - base
        return elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
    }
}
