import Persistence
import Testing
@testable import pmd

@Suite struct StreamPlanTests {
    let origin: [UInt8] = [1, 2, 3]

    func log(_ last: LSN, _ history: [(UInt64, LSN)], oldest: LSN? = 1, origin: [UInt8]? = nil) -> StreamPlan.Log {
        StreamPlan.Log(
            origin: origin ?? self.origin, last: last,
            history: TermHistory(history.map { TermHistory.Entry(term: $0.0, firstLSN: $0.1) }), oldestRetained: oldest)
    }

    @Test func aStandbyOnTheSameHistoryStreamsFromItsNextRecord() {
        #expect(StreamPlan.decide(primary: log(100, [(1, 1), (2, 50)]), standby: log(60, [(1, 1), (2, 50)])) == .stream(from: 61))
        #expect(StreamPlan.decide(primary: log(100, [(1, 1), (2, 50)]), standby: log(100, [(1, 1), (2, 50)])) == .stream(from: 101))
        #expect(StreamPlan.decide(primary: log(100, [(1, 1), (2, 50)]), standby: log(40, [(1, 1)])) == .stream(from: 41))
    }

    @Test func aStandbyThatWentFurtherInAnOldTermTruncatesFirst() {
        #expect(StreamPlan.decide(primary: log(100, [(1, 1), (2, 50)]), standby: log(60, [(1, 1)])) == .truncate(after: 49))
    }

    @Test func newNodesOtherOriginsAndRecordsNoLongerRetainedTakeASnapshot() {
        #expect(StreamPlan.decide(primary: log(100, [(1, 1)]), standby: log(0, [])) == .snapshot)
        #expect(StreamPlan.decide(primary: log(100, [(1, 1)]), standby: log(10, [(1, 1)], origin: [9])) == .snapshot)
        #expect(StreamPlan.decide(primary: log(100, [(1, 1)], oldest: 30), standby: log(10, [(1, 1)])) == .snapshot)
        #expect(StreamPlan.decide(primary: log(100, [(1, 1)], oldest: 11), standby: log(10, [(1, 1)])) == .stream(from: 11))
        #expect(StreamPlan.decide(primary: log(100, [(1, 1)], oldest: nil), standby: log(100, [(1, 1)])) == .stream(from: 101),
                "nothing to send: nothing retained is needed")
    }
}
