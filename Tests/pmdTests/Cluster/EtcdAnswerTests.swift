import Actors
import Protocol
import Testing

@testable import pmd

/// Answers as etcd 3.4.23's gateway writes them (copied from a real one).
@Suite struct EtcdAnswerTests {
    private func response(_ status: Int, _ body: String) -> HTTPOutcome {
        .response(status: status, headers: [:], body: Array(body.utf8))
    }

    @Test func anAnswerIsTheBody() throws {
        let body =
            #"{"header":{"revision":"2"},"kvs":[{"key":"L2EveA==","create_revision":"2","mod_revision":"2","version":"1","#
            + #""value":"aGVsbG8="}],"count":"1"}"#
        guard case .answer(let json) = EtcdAnswer.verdict(response(200, body)) else {
            Issue.record("not an answer")
            return
        }
        #expect(try EtcdWire.revision(json) == 2)
        #expect(
            try EtcdWire.keyValues(json) == [
                EtcdKeyValue(key: "/a/x", value: Array("hello".utf8), createRevision: 2, modRevision: 2, version: 1, lease: 0)
            ])
    }

    @Test func fieldsAtTheirZeroValueAreLeftOut() throws {
        // An empty value and no lease: etcd writes neither.
        let kv = try EtcdWire.keyValue(["key": "L2EvZQ==", "create_revision": "6", "mod_revision": "6", "version": "1"])
        #expect(kv == EtcdKeyValue(key: "/a/e", value: [], createRevision: 6, modRevision: 6, version: 1, lease: 0))
        #expect(try EtcdWire.keyValues(["header": ["revision": "2"]]) == [])
    }

    @Test func connectionFailuresAndUnavailableMembersTryTheNextEndpoint() {
        #expect(EtcdAnswer.verdict(.failed(transient: true, reason: "Connection refused")) == .tryNext(reason: "Connection refused"))
        #expect(
            EtcdAnswer.verdict(response(503, #"{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}"#))
                == .tryNext(reason: "etcdserver: no leader"))
        #expect(EtcdAnswer.verdict(response(502, "<html>bad gateway</html>")) == .tryNext(reason: "HTTP status 502"))
    }

    @Test func etcdsOwnErrorsAreFinal() {
        let body = #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#
        #expect(
            EtcdAnswer.verdict(response(404, body)) == .fail(EtcdError(.server(code: 5), "etcdserver: requested lease not found")))
        guard case .fail(let error) = EtcdAnswer.verdict(response(200, "not json")) else {
            Issue.record("not a failure")
            return
        }
        #expect(error.kind == .badAnswer)
    }

    @Test func aStreamingCallsAnswerIsItsFirstResult() throws {
        let body = #"{"result":{"header":{"revision":"3"},"ID":"2324035885254576399","TTL":"5"}}"# + "\n"
        guard case .answer(let result) = EtcdAnswer.verdict(response(200, body), stream: true) else {
            Issue.record("not an answer")
            return
        }
        #expect(try EtcdAnswer.keepAlive(result) == 5)
        let streamError = #"{"error":{"grpc_code":5,"http_code":404,"message":"gone","http_status":"Not Found"}}"#
        #expect(EtcdAnswer.verdict(response(200, streamError), stream: true) == .fail(EtcdError(.server(code: 5), "gone")))
    }

    @Test func keepAliveOfAnUnknownLeaseAnswersNoTTL() throws {
        // What etcd sends for a lease that expired or never existed: no TTL field at all.
        #expect(try EtcdAnswer.keepAlive(["header": ["revision": "3"], "ID": "99999"]) == 0)
    }

    @Test func leaseGrantGivesIDAndTTL() throws {
        let grant = try EtcdAnswer.leaseGrant(["header": ["revision": "2"], "ID": "2324035885254576393", "TTL": "5"])
        #expect(grant.id == 2_324_035_885_254_576_393 && grant.ttlSeconds == 5)
        #expect(throws: EtcdError.self) { try EtcdAnswer.leaseGrant(["header": ["revision": "2"], "error": "too many leases"]) }
    }

    @Test func txnGetsFollowTheBranchThatRan() throws {
        let failed: JSON = try JSON.parse(
            #"{"header":{"revision":"2"},"responses":[{"response_put":{"header":{"revision":"2"}}},"#
                + #"{"response_range":{"header":{"revision":"2"},"kvs":[{"key":"aw==","create_revision":"2","mod_revision":"2","#
                + #""version":"1","value":"djI="}],"count":"1"}}]}"#)
        let result = try EtcdAnswer.txn(
            failed, success: [.put(key: "k", value: [], lease: nil)], failure: [.put(key: "x", value: [], lease: nil), .get(key: "k")])
        #expect(!result.succeeded)
        #expect(result.revision == 2)
        #expect(result.gets.map { $0.map(\.key) } == [["k"]])
        // The success branch was not taken: its operation count does not match the answer.
        #expect(throws: EtcdError.self) {
            try EtcdAnswer.txn(["header": ["revision": "2"], "succeeded": true], success: [.get(key: "k")], failure: [])
        }
    }

    @Test func malformedFieldsAreBadAnswers() {
        #expect(throws: EtcdError(.badAnswer, #"key is not base64: "L2EveA""#)) { try EtcdWire.keyValue(["key": "L2EveA"]) }
        #expect(throws: EtcdError(.badAnswer, #"version is not an integer: "one""#)) {
            try EtcdWire.keyValue(["key": "aw==", "version": "one"])
        }
    }
}
