/// Whether a node may campaign for the leader key when there is no primary (SPEC §10). etcd
/// decides between candidates (a compare-and-swap on the key); this rule decides who is a
/// candidate, so that the winner holds every acknowledged write:
///
/// - with synchronous standbys (`N > 0`) only a member of the last primary's sync set may
///   campaign — each member holds every acknowledged write — and among the members that answer,
///   only the most advanced (ties: the smallest name);
/// - with `N = 0`, or before any primary has published a set (a new cluster), any node may, if
///   no node that answers is more advanced.
enum ElectionRule {
    enum Decision: Equatable, Sendable {
        case campaign
        case wait(String)
    }

    /// - Parameters:
    ///   - sync: the last published sync set, nil when none ever was.
    ///   - peers: the positions of the other nodes that answered.
    static func decide(
        me: String, position: LogPosition, required: Int, sync: SyncSet?, peers: [String: LogPosition]
    ) -> Decision {
        var rivals = peers
        if required > 0, let sync {
            guard sync.members.contains(me) else {
                return .wait("not a synchronous standby of term \(sync.term) (\(sync.members.joined(separator: ", ")))")
            }
            rivals = rivals.filter { sync.members.contains($0.key) }
        }
        for (name, theirs) in rivals where theirs > position || (theirs == position && name < me) {
            return .wait("\(name) is further along (\(theirs) against \(position))")
        }
        return .campaign
    }
}
