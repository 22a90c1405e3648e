import Protocol
import Testing

@testable import pmd

/// The gateway's JSON as etcd 3.4 accepts it (checked against a real etcd by the tests that use
/// one); here the exact shape, so a change to it is a decision.
@Suite struct EtcdRequestTests {
    @Test func keysAndValuesArePaddedBase64AndIntegersStrings() {
        #expect(EtcdRequest.get("/a/x") == EtcdRequest(path: "/v3/kv/range", body: ["key": "L2EveA=="]))
        #expect(
            EtcdRequest.put("/a/x", [0, 255], lease: 7_000_000_000_000_000_000)
                == EtcdRequest(path: "/v3/kv/put", body: ["key": "L2EveA==", "value": "AP8=", "lease": "7000000000000000000"]))
        #expect(EtcdRequest.put("k", [], lease: nil).body == ["key": "aw==", "value": ""])
        #expect(EtcdRequest.delete("k") == EtcdRequest(path: "/v3/kv/deleterange", body: ["key": "aw=="]))
    }

    @Test func prefixReadsAndWatchesUseTheRangeEnd() {
        // "/a/" .. "/a0"
        #expect(EtcdRequest.getPrefix("/a/").body == ["key": "L2Ev", "range_end": "L2Ew"])
        #expect(EtcdRequest.getPrefix("").body == ["key": "AA==", "range_end": "AA=="])
        #expect(
            EtcdRequest.watch(prefix: "/a/", fromRevision: 42)
                == EtcdRequest(
                    path: "/v3/watch", body: ["create_request": ["key": "L2Ev", "range_end": "L2Ew", "start_revision": "42"]]))
    }

    @Test func txnNamesTargetsAndOperationsAsEtcdsProtoDoes() {
        let request = EtcdRequest.txn(
            [
                .createRevision(key: "k", equals: 0), .modRevision(key: "k", equals: 5), .value(key: "k", equals: [1]),
                .version(key: "k", equals: 2),
            ],
            success: [.put(key: "k", value: [1], lease: 9), .get(key: "k")], failure: [.delete(key: "k")])
        #expect(request.path == "/v3/kv/txn")
        #expect(
            request.body == [
                "compare": [
                    ["key": "aw==", "result": "EQUAL", "target": "CREATE", "create_revision": "0"],
                    ["key": "aw==", "result": "EQUAL", "target": "MOD", "mod_revision": "5"],
                    ["key": "aw==", "result": "EQUAL", "target": "VALUE", "value": "AQ=="],
                    ["key": "aw==", "result": "EQUAL", "target": "VERSION", "version": "2"],
                ],
                "success": [["request_put": ["key": "aw==", "value": "AQ==", "lease": "9"]], ["request_range": ["key": "aw=="]]],
                "failure": [["request_delete_range": ["key": "aw=="]]],
            ])
    }

    @Test func leaseCallsCarryTheIDAsAString() {
        #expect(EtcdRequest.grantLease(ttlSeconds: 3) == EtcdRequest(path: "/v3/lease/grant", body: ["TTL": "3"]))
        #expect(EtcdRequest.keepAlive(123) == EtcdRequest(path: "/v3/lease/keepalive", body: ["ID": "123"]))
        #expect(EtcdRequest.revoke(123) == EtcdRequest(path: "/v3/lease/revoke", body: ["ID": "123"]))
    }
}
