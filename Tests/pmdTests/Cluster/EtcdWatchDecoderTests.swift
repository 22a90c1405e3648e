import Testing

@testable import pmd

@Suite struct EtcdWatchDecoderTests {
    // From a real etcd 3.4.23: created, then a put and a delete in one message.
    let created = #"{"result":{"header":{"revision":"3"},"created":true}}"# + "\n"
    let putAndDelete =
        #"{"result":{"header":{"revision":"3"},"events":[{"kv":{"key":"L2EveA==","create_revision":"2","mod_revision":"2","#
        + #""version":"1","value":"aGVsbG8="}},{"type":"DELETE","kv":{"key":"L2EveA==","mod_revision":"3"}}]}}"# + "\n"

    @Test func linesBecomeMessagesWhateverTheChunking() {
        let stream = Array((created + putAndDelete).utf8)
        let expected: [EtcdWatchDecoder.Message] = [
            .created,
            .events([
                .put(EtcdKeyValue(key: "/a/x", value: Array("hello".utf8), createRevision: 2, modRevision: 2, version: 1, lease: 0)),
                .delete(key: "/a/x", modRevision: 3),
            ]),
        ]
        for chunkSize in [1, 7, 64, stream.count] {
            var decoder = EtcdWatchDecoder()
            var messages: [EtcdWatchDecoder.Message] = []
            var start = 0
            while start < stream.count {
                messages += decoder.feed(stream[start..<min(start + chunkSize, stream.count)])
                start += chunkSize
            }
            #expect(messages == expected, "chunks of \(chunkSize)")
        }
    }

    @Test func compactionEndsTheWatchWithTheOldestRevisionKept() {
        var decoder = EtcdWatchDecoder()
        let line = #"{"result":{"header":{"raft_term":"2"},"canceled":true,"compact_revision":"5"}}"# + "\n"
        #expect(decoder.feed(Array(line.utf8)) == [.ended(EtcdError(.compacted(revision: 5), "watch canceled by etcd"))])
    }

    @Test func anErrorEndsTheWatchEvenWithoutANewline() {
        var decoder = EtcdWatchDecoder()
        let body = #"{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}"#
        #expect(decoder.feed(Array(body.utf8)) == [])
        #expect(decoder.finish() == [.ended(EtcdError(.server(code: 14), "etcdserver: no leader"))])
    }

    @Test func progressNotificationsAndBlankLinesSayNothing() {
        var decoder = EtcdWatchDecoder()
        #expect(decoder.feed(Array((#"{"result":{"header":{"revision":"9"}}}"# + "\n\n").utf8)) == [])
    }

    @Test func garbageEndsTheWatch() {
        var decoder = EtcdWatchDecoder()
        guard case .ended(let error) = decoder.feed(Array("<html>\n".utf8)).first else {
            Issue.record("garbage was not the end")
            return
        }
        #expect(error.kind == .badAnswer)
    }
}
