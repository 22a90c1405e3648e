import Testing
@testable import Persistence

/// Where two logs part (SPEC §10 rejoin): one primary per term, so the same term at the same LSN
/// means the same record.
@Suite struct TermHistoryTests {
    func history(_ entries: (UInt64, LSN)...) -> TermHistory {
        TermHistory(entries.map { TermHistory.Entry(term: $0.0, firstLSN: $0.1) })
    }

    @Test func aNewTermIsNotedOnceAndOlderOnesNever() {
        var h = TermHistory()
        let noted = [h.note(term: 1, at: 1), h.note(term: 1, at: 5), h.note(term: 3, at: 9), h.note(term: 2, at: 12)]
        #expect(noted == [true, false, true, false])
        #expect(h == history((1, 1), (3, 9)))
        #expect(h.term(at: 8) == 1 && h.term(at: 9) == 3 && h.term(at: 100) == 3)
    }

    @Test func aLogThatIsAPrefixOfThePrimarysHasNothingToDiscard() {
        let standby = history((1, 1))
        let primary = history((1, 1), (2, 50))
        #expect(standby.commonPrefix(lastLSN: 40, with: primary, otherLast: 100) == 40)
        #expect(standby.commonPrefix(lastLSN: 49, with: primary, otherLast: 100) == 49)
    }

    @Test func recordsOfAnOldTermBeyondWhereTheNewPrimaryTookOverAreDiscarded() {
        // The old primary (term 1) wrote up to 60; the new one had only up to 49 when it began term 2.
        let oldPrimary = history((1, 1))
        let newPrimary = history((1, 1), (2, 50))
        #expect(oldPrimary.commonPrefix(lastLSN: 60, with: newPrimary, otherLast: 70) == 49)
    }

    @Test func aLaterTermTheNewPrimaryNeverSawIsDiscarded() {
        let standby = history((1, 1), (2, 50))      // saw term 2 up to 80
        let primary = history((1, 1), (2, 50), (3, 70))  // term 2 ended at 69 there
        #expect(standby.commonPrefix(lastLSN: 80, with: primary, otherLast: 100) == 69)
        let stranger = history((1, 1), (4, 30))
        #expect(stranger.commonPrefix(lastLSN: 40, with: primary, otherLast: 100) == 29)
    }

    @Test func logsWithNothingInCommonShareNothing() {
        #expect(history((2, 1)).commonPrefix(lastLSN: 10, with: history((1, 1)), otherLast: 10) == 0)
        #expect(TermHistory().commonPrefix(lastLSN: 0, with: history((1, 1)), otherLast: 10) == 0)
    }

    @Test func truncationCutsTheHistoryToo() {
        #expect(history((1, 1), (2, 50), (3, 70)).truncated(after: 60) == history((1, 1), (2, 50)))
    }

    @Test func theHistoryRoundTrips() throws {
        let h = history((0, 1), (7, 1_000_000_000_000))
        #expect(try h.encoded().withUnsafeBytes { try TermHistory.decode($0) } == h)
    }
}
