import DequeModule
import NIOCore
import Persistence
import Synchronization

/// The primary's side of replication: the newest records as the log encoded them (a bounded
/// ring, filled by the log's writer before each commit), the attached standbys with what each
/// has made durable, and the acknowledgement rule (`SyncSet`): the log may acknowledge a record
/// once every member of the sync set holds it.
///
/// A standby's sender pulls from the ring at its own pace, so a slow standby costs the primary no
/// more than the ring; one that falls behind the ring is served from the log's retained records.
final class ReplicationHub: Sendable {
    /// Where a sender's next records come from.
    enum Take {
        case records(first: LSN, [[UInt8]])
        /// Older than the ring: read them from the log.
        case fromLog
        case upToDate
    }

    struct StandbyView: Sendable, Equatable {
        var node: String
        var address: String
        var durable: LSN
        var sync: Bool
        var attached: Bool
    }

    private struct Attached {
        var address: String
        var durable: LSN
        var attached: Bool
        var lastProgress: ContinuousClock.Instant
        var wake: (@Sendable () -> Void)?
    }

    private struct State {
        var ring: Deque<(LSN, [UInt8])> = []
        var ringBytes = 0
        var last: LSN
        var standbys: [String: Attached] = [:]
        /// The sync set in force: published in etcd before it was adopted.
        var members: [String] = []
        var acknowledged: LSN
        /// When acknowledging last stalled with writes waiting.
        var stalledSince: ContinuousClock.Instant?
    }

    let wal: WriteAheadLog
    let required: Int
    private let ringLimit: Int
    private let state: Mutex<State>
    /// Whether this node may acknowledge now (its lease is good).
    private let serving: @Sendable () -> Bool

    init(wal: WriteAheadLog, required: Int, acknowledged: LSN, ringLimit: Int = 64 << 20, serving: @escaping @Sendable () -> Bool) {
        self.wal = wal
        self.required = required
        self.ringLimit = ringLimit
        self.serving = serving
        state = Mutex(State(last: wal.lastAssignedLSN, acknowledged: acknowledged))
    }

    /// A new term begins on this node: `acknowledged` is where the last primary left off.
    func reset(acknowledged: LSN, last: LSN) {
        state.withLock { state in
            state.acknowledged = acknowledged
            state.last = last
            state.ring = []
            state.ringBytes = 0
            state.members = []
            state.stalledSince = nil
        }
    }

    // MARK: - The log's side

    /// From the log's writer thread: a batch as it is committed here.
    func append(first: LSN, _ encoded: [[UInt8]]) {
        let wakes = state.withLock { state -> [@Sendable () -> Void] in
            for (offset, bytes) in encoded.enumerated() {
                state.ring.append((first + LSN(offset), bytes))
                state.ringBytes += bytes.count
            }
            state.last = first + LSN(encoded.count) - 1
            while state.ringBytes > ringLimit, let oldest = state.ring.popFirst() { state.ringBytes -= oldest.1.count }
            return state.standbys.values.compactMap(\.wake)
        }
        for wake in wakes { wake() }
    }

    /// Records from `lsn` on, at most about `maxBytes` of them.
    func take(from lsn: LSN, maxBytes: Int) -> Take {
        state.withLock { state in
            guard lsn <= state.last else { return .upToDate }
            guard let first = state.ring.first?.0, lsn >= first else { return .fromLog }
            var index = Int(lsn - first)
            var records: [[UInt8]] = []
            var bytes = 0
            while index < state.ring.count, bytes < maxBytes {
                records.append(state.ring[index].1)
                bytes += state.ring[index].1.count
                index += 1
            }
            return .records(first: lsn, records)
        }
    }

    // MARK: - Standbys

    func attach(_ node: String, address: String, durable: LSN, wake: @escaping @Sendable () -> Void) {
        state.withLock { state in
            state.standbys[node] = Attached(address: address, durable: durable, attached: true, lastProgress: .now, wake: wake)
        }
    }

    func detach(_ node: String) {
        state.withLock { state in
            state.standbys[node]?.attached = false
            state.standbys[node]?.wake = nil
        }
    }

    /// A standby reports what it made durable.
    func ack(_ node: String, durable: LSN) {
        state.withLock { state in
            guard var standby = state.standbys[node] else { return }
            if durable > standby.durable { standby.lastProgress = .now }
            standby.durable = max(standby.durable, durable)
            state.standbys[node] = standby
        }
        advance()
    }

    /// Raises what the log may acknowledge to what every member holds.
    func advance() {
        guard serving() else { return }
        let floor = state.withLock { state -> LSN? in
            let views = Self.syncViews(state)
            guard let floor = SyncSet.acknowledgeable(members: state.members, required: required, standbys: views),
                floor > state.acknowledged
            else { return nil }
            state.acknowledged = floor
            state.stalledSince = nil
            return floor
        }
        if let floor {
            wal.acknowledge(upTo: floor)
            wal.limitCheckpoints(to: floor)
        }
    }

    /// The sync set that should be published now, if it differs from the one in force.
    func proposedMembers(stallAfter: Duration) -> [String]? {
        state.withLock { state in
            let now = ContinuousClock.now
            var views = Self.syncViews(state)
            for (name, standby) in state.standbys where standby.durable < state.last && now - standby.lastProgress > stallAfter {
                views[name]?.stalled = true
            }
            let next = SyncSet.next(members: state.members, required: required, standbys: views, acknowledged: state.acknowledged)
            return next == state.members ? nil : next
        }
    }

    /// Adopts a sync set once it is published.
    func adopt(members: [String]) {
        state.withLock { $0.members = members }
        advance()
    }

    var members: [String] { state.withLock { $0.members } }
    var acknowledged: LSN { state.withLock { $0.acknowledged } }

    /// Whether writes have waited for acknowledgement longer than `limit` (SPEC §10: then 503
    /// "Not enough standbys"), as of `now`.
    func acknowledgementStalled(longerThan limit: Duration) -> Bool {
        let lastAssigned = wal.lastAssignedLSN
        return state.withLock { state in
            guard required > 0, lastAssigned > state.acknowledged else {
                state.stalledSince = nil
                return false
            }
            let since = state.stalledSince ?? .now
            state.stalledSince = since
            return ContinuousClock.now - since > limit
        }
    }

    /// Whether the sync set is complete with attached members (writes can be acknowledged).
    var syncComplete: Bool {
        state.withLock { state in
            required == 0 || (state.members.count >= required && state.members.allSatisfy { state.standbys[$0]?.attached == true })
        }
    }

    var standbys: [StandbyView] {
        state.withLock { state in
            state.standbys.map { name, standby in
                StandbyView(
                    node: name, address: standby.address, durable: standby.durable, sync: state.members.contains(name),
                    attached: standby.attached)
            }.sorted { $0.node < $1.node }
        }
    }

    private static func syncViews(_ state: State) -> [String: SyncSet.Standby] {
        Dictionary(uniqueKeysWithValues: state.standbys.map { name, standby in
            (name, SyncSet.Standby(name: name, durable: standby.durable, attached: standby.attached, stalled: false))
        })
    }
}
