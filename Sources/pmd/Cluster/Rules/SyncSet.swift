import Persistence

/// The synchronous standbys (as Patroni's `/sync` key): the primary acknowledges a write only once
/// it is durable on itself and on **every** member, and only a member may be promoted when the
/// primary is lost. With `PMD_SYNC_STANDBYS = N`, the set has N members once N standbys are
/// caught up; every acknowledged write is then on every member, so any member that wins holds
/// all of them. The set is published in etcd before a change takes effect.
struct SyncSet: Equatable, Sendable {
    /// The term of the primary that chose the set.
    var term: UInt64
    var members: [String]

    /// What the primary knows of one attached (or lately attached) standby.
    struct Standby: Equatable, Sendable {
        var name: String
        var durable: LSN
        var attached: Bool
        /// Behind the primary and no ack progress for a while: a slow or hung standby.
        var stalled: Bool
    }

    /// The highest LSN every member holds: what may be acknowledged. nil while the set has fewer
    /// than `required` members or one of them has never reported.
    static func acknowledgeable(members: [String], required: Int, standbys: [String: Standby]) -> LSN? {
        guard required > 0 else { return nil }
        guard members.count >= required else { return nil }
        var floor = LSN.max
        for name in members {
            guard let standby = standbys[name] else { return nil }
            floor = min(floor, standby.durable)
        }
        return floor
    }

    /// The members the set should have now. Members that are attached and keeping up stay; a
    /// free place goes to an attached standby that holds everything acknowledged so far (so
    /// every acknowledged write stays on every member), the most advanced first. A member that
    /// left or stalled is replaced only when such a standby exists: until then it stays, since
    /// it may be the only other node holding the latest acknowledged writes.
    static func next(
        members: [String], required: Int, standbys: [String: Standby], acknowledged: LSN
    ) -> [String] {
        guard required > 0 else { return [] }
        var keep = members.filter { standbys[$0].map { $0.attached && !$0.stalled } ?? false }
        let candidates = standbys.values
            .filter { $0.attached && !$0.stalled && !keep.contains($0.name) && $0.durable >= acknowledged }
            .sorted { ($0.durable, $1.name) > ($1.durable, $0.name) }
        for candidate in candidates where keep.count < required { keep.append(candidate.name) }
        for member in members where keep.count < required && !keep.contains(member) { keep.append(member) }
        return keep.sorted()
    }
}
