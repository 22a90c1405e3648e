import Actors
import Foundation

extension EtcdClient {
    /// Streams the changes to keys under `prefix` made at `fromRevision` or later (after a
    /// `getPrefix` at revision R, watch from R + 1), until the returned watch is cancelled or the
    /// stream breaks.
    ///
    /// `onEvent` gets the events in revision order, a revision's events together. Both callbacks
    /// run on the watch's own thread (never an event loop or an actor) and must only hand work
    /// elsewhere: while they run, the stream is not read. `onEnd` is called once, last: with
    /// `nil` after `cancel()`, else with why the watch ended (every endpoint failed, the stream
    /// broke, the revision was compacted, etcd cancelled it), so the caller can re-read and watch
    /// again. Endpoints are tried as for other calls until one accepts the watch; a stream that
    /// breaks after that is not resumed here: only the caller knows what it has and from which
    /// revision to read again.
    func watch(
        prefix: String, fromRevision: Int64, onEvent: @escaping @Sendable ([EtcdWatchEvent]) -> Void,
        onEnd: @escaping @Sendable (EtcdError?) -> Void
    ) -> EtcdWatch {
        let watch = EtcdWatch()
        let request = EtcdRequest.watch(prefix: prefix, fromRevision: fromRevision)
        let admitted = watches.add(watch)
        let thread = Thread { [self] in
            let error = admitted ? run(request, watch, onEvent: onEvent) : EtcdError(.unreachable, "the etcd client is shut down")
            onEnd(watch.control.isCancelled ? nil : error)
            watches.remove(watch)
            watch.markEnded()
        }
        thread.name = "pmd-etcd-watch"
        thread.start()
        return watch
    }

    /// The watch's thread: the stream, endpoint by endpoint until one accepts the watch.
    private func run(_ request: EtcdRequest, _ watch: EtcdWatch, onEvent: @escaping @Sendable ([EtcdWatchEvent]) -> Void) -> EtcdError? {
        let (urls, order) = endpointOrder()
        let body = request.body.serialized
        var failures: [String] = []
        for index in order {
            var decoder = EtcdWatchDecoder()
            var created = false
            var ended: EtcdError?
            func handle(_ messages: [EtcdWatchDecoder.Message]) -> Bool {
                for message in messages {
                    switch message {
                    case .created:
                        created = true
                        answered(index)
                    case .events(let events):
                        onEvent(events)
                    case .ended(let error):
                        ended = error
                        return false
                    }
                }
                return true
            }
            let end = CurlTransport.stream(
                HTTPRequest(
                    method: .post, url: urls[index] + request.path, headers: EtcdRequest.headers, body: body,
                    connectTimeout: requestTimeout),
                control: watch.control
            ) { chunk in handle(decoder.feed(chunk)) }
            if watch.control.isCancelled { return nil }
            if ended == nil { _ = handle(decoder.finish()) }
            if let ended {
                guard !created, ended.kind == .server(code: EtcdError.unavailableCode) else { return ended }
                failures.append("\(urls[index]): \(ended.message)")
            } else if created {
                return EtcdError(.unreachable, "the watch stream from \(urls[index]) ended: \(Self.describe(end))")
            } else {
                failures.append("\(urls[index]): \(Self.describe(end))")
            }
        }
        return EtcdError(.unreachable, "\(request.path): " + failures.joined(separator: "; "))
    }

    private static func describe(_ end: HTTPStreamEnd) -> String {
        switch end {
        case .finished(let status): "closed by the server (HTTP status \(status))"
        case .cancelled: "cancelled"
        case .failed(let reason): reason
        }
    }
}
