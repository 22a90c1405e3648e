import Testing
@testable import pmd

@Suite struct SyncSetTests {
    func standby(_ name: String, _ durable: UInt64, attached: Bool = true, stalled: Bool = false) -> (String, SyncSet.Standby) {
        (name, SyncSet.Standby(name: name, durable: durable, attached: attached, stalled: stalled))
    }

    @Test func whatIsAcknowledgedIsWhatEveryMemberHolds() {
        let standbys = Dictionary(uniqueKeysWithValues: [standby("a", 10), standby("b", 7)])
        #expect(SyncSet.acknowledgeable(members: ["a", "b"], required: 2, standbys: standbys) == 7)
        #expect(SyncSet.acknowledgeable(members: ["a"], required: 1, standbys: standbys) == 10)
        #expect(SyncSet.acknowledgeable(members: ["a"], required: 2, standbys: standbys) == nil, "too few members: nothing more")
        #expect(SyncSet.acknowledgeable(members: ["c"], required: 1, standbys: standbys) == nil, "a member that never reported")
        #expect(SyncSet.acknowledgeable(members: [], required: 0, standbys: standbys) == nil, "asynchronous: no floor")
    }

    @Test func aPlaceGoesToTheMostAdvancedStandbyThatHoldsEverythingAcknowledged() {
        let standbys = Dictionary(uniqueKeysWithValues: [standby("a", 50), standby("b", 40), standby("c", 30)])
        #expect(SyncSet.next(members: [], required: 1, standbys: standbys, acknowledged: 35) == ["a"])
        #expect(SyncSet.next(members: [], required: 2, standbys: standbys, acknowledged: 35) == ["a", "b"])
        #expect(SyncSet.next(members: [], required: 3, standbys: standbys, acknowledged: 35) == ["a", "b"], "c lacks acknowledged writes")
    }

    @Test func membersKeepingUpStayEvenWhenOthersAreAhead() {
        let standbys = Dictionary(uniqueKeysWithValues: [standby("a", 50), standby("b", 40)])
        #expect(SyncSet.next(members: ["b"], required: 1, standbys: standbys, acknowledged: 40) == ["b"])
    }

    @Test func aLostMemberIsReplacedOnlyByOneThatIsCaughtUp() {
        let gone = Dictionary(uniqueKeysWithValues: [standby("a", 50, attached: false), standby("b", 49), standby("c", 10)])
        #expect(SyncSet.next(members: ["a"], required: 1, standbys: gone, acknowledged: 49) == ["b"])
        #expect(SyncSet.next(members: ["a"], required: 1, standbys: gone, acknowledged: 50) == ["a"], "b lacks 50: a stays")
        let hung = Dictionary(uniqueKeysWithValues: [standby("a", 20, stalled: true), standby("b", 30)])
        #expect(SyncSet.next(members: ["a"], required: 1, standbys: hung, acknowledged: 20) == ["b"])
    }

    @Test func asynchronousClustersHaveNoSet() {
        #expect(SyncSet.next(members: ["a"], required: 0, standbys: [:], acknowledged: 0) == [])
    }
}

@Suite struct ElectionRuleTests {
    let sync = SyncSet(term: 4, members: ["a", "b"])

    func at(_ lsn: UInt64, _ term: UInt64 = 4) -> LogPosition { LogPosition(term: term, lsn: lsn) }

    @Test func onlyMembersOfTheSyncSetCampaign() {
        #expect(ElectionRule.decide(me: "c", position: at(99), required: 1, sync: sync, peers: [:]) != .campaign)
        #expect(ElectionRule.decide(me: "a", position: at(10), required: 1, sync: sync, peers: ["c": at(99)]) == .campaign,
                "a non-member's position does not count")
    }

    @Test func theMostAdvancedMemberThatAnswersWinsTiesByName() {
        #expect(ElectionRule.decide(me: "a", position: at(10), required: 2, sync: sync, peers: ["b": at(11)]) != .campaign)
        #expect(ElectionRule.decide(me: "b", position: at(11), required: 2, sync: sync, peers: ["a": at(10)]) == .campaign)
        #expect(ElectionRule.decide(me: "b", position: at(11), required: 2, sync: sync, peers: ["a": at(11)]) != .campaign)
        #expect(ElectionRule.decide(me: "a", position: at(11), required: 2, sync: sync, peers: ["b": at(11)]) == .campaign)
        #expect(ElectionRule.decide(me: "a", position: at(5, 5), required: 2, sync: sync, peers: ["b": at(90, 4)]) == .campaign,
                "a later term is further along whatever the LSN")
    }

    @Test func withoutASetOrSynchronousStandbysTheMostAdvancedNodeCampaigns() {
        #expect(ElectionRule.decide(me: "c", position: at(9), required: 1, sync: nil, peers: ["a": at(3)]) == .campaign)
        #expect(ElectionRule.decide(me: "c", position: at(9), required: 0, sync: sync, peers: ["a": at(30)]) != .campaign)
        #expect(ElectionRule.decide(me: "c", position: at(9), required: 0, sync: sync, peers: ["a": at(3)]) == .campaign)
    }

    @Test func anEmptySetMeansNobodyCanBePromotedSafely() {
        #expect(ElectionRule.decide(me: "a", position: at(9), required: 1, sync: SyncSet(term: 5, members: []), peers: [:]) != .campaign)
    }
}

@Suite struct LeaseClockTests {
    @Test func thePrimaryStopsBeforeEtcdCanExpireItsLease() {
        let clock = LeaseClock(ttl: .seconds(3))
        let sent = ContinuousClock.now
        #expect(clock.serveUntil(renewalSentAt: sent) == sent + .milliseconds(2500))
        #expect(clock.serveUntil(renewalSentAt: sent) < sent + .seconds(3))
        #expect(clock.renewEvery < clock.ttl - clock.margin)
        let long = LeaseClock(ttl: .seconds(30))
        #expect(long.margin == .seconds(5))
        #expect(long.renewEvery * 3 <= long.ttl - long.margin && long.renewEvery * 3 > long.ttl - long.margin - .milliseconds(1))
    }
}
