import Actors
import Protocol
import Synchronization

/// etcd's v3 API through its JSON gateway (HTTP on the client port), with libcurl.
///
/// Calls go to the endpoint that last answered; when it refuses the connection, times out or has
/// no leader, the next listed endpoint is tried, each at most once per call. A call never takes
/// longer than `requestTimeout` in all (it is split between the endpoints still to try), so a
/// leader renewing a 3 s lease finds out in time that it cannot — as long as fewer calls are in
/// flight than the transport has threads: a call queued for a thread waits on top of its budget.
///
/// A timed-out call may still have been applied by the endpoint that did not answer in time, and
/// then again by the next one: a put is none the worse, but a compare-and-swap can report failure
/// for a change that was made. Callers that must know (leader election) re-read the key.
final class EtcdClient: Sendable {
    let requestTimeout: Duration
    private let endpoints: Mutex<EtcdEndpoints>
    private let transport: CurlTransport
    /// Shut down with the client only when the client made it.
    private let ownsTransport: Bool
    let watches = EtcdWatchRegistry()

    /// - Parameters:
    ///   - endpoints: client URLs, e.g. `http://127.0.0.1:2379`; at least one.
    ///   - transport: shared libcurl threads; by default the client starts its own four.
    init(endpoints: [String], requestTimeout: Duration = .seconds(1), transport: CurlTransport? = nil) {
        self.endpoints = Mutex(EtcdEndpoints(endpoints))
        self.requestTimeout = requestTimeout
        self.transport = transport ?? CurlTransport(threads: 4)
        ownsTransport = transport == nil
    }

    /// The endpoint the next call goes to first.
    var preferredEndpoint: String {
        endpoints.withLock { $0.urls[$0.preferred] }
    }

    /// The endpoints, and the order of their indexes in which a call tries them.
    func endpointOrder() -> (urls: [String], order: [Int]) {
        endpoints.withLock { ($0.urls, $0.order) }
    }

    /// Endpoint `index` answered: calls go there first from now on.
    func answered(_ index: Int) {
        endpoints.withLock { $0.answered(index) }
    }

    func get(_ key: String) async throws(EtcdError) -> EtcdKeyValue? {
        try EtcdWire.keyValues(try await call(.get(key))).first
    }

    /// Every key starting with `prefix`, in key order, and the store revision they were read at:
    /// watch from `revision + 1` to see every change after the read.
    func getPrefix(_ prefix: String) async throws(EtcdError) -> (values: [EtcdKeyValue], revision: Int64) {
        let answer = try await call(.getPrefix(prefix))
        return (try EtcdWire.keyValues(answer), try EtcdWire.revision(answer))
    }

    /// - Returns: the store revision of the put (the key's new `modRevision`).
    @discardableResult
    func put(_ key: String, _ value: [UInt8], lease: Int64? = nil) async throws(EtcdError) -> Int64 {
        try EtcdWire.revision(try await call(.put(key, value, lease: lease)))
    }

    /// Deleting a key that does not exist is not an error.
    func delete(_ key: String) async throws(EtcdError) {
        _ = try await call(.delete(key))
    }

    /// Runs `success` if every compare holds, else `failure`, atomically.
    func txn(_ compare: [EtcdCompare], then success: [EtcdOperation], else failure: [EtcdOperation] = []) async throws(EtcdError)
        -> EtcdTxnResult
    {
        try EtcdAnswer.txn(try await call(.txn(compare, success: success, failure: failure)), success: success, failure: failure)
    }

    /// etcd may raise a TTL below its minimum (about 1.5 election timeouts); the answer says what
    /// was granted.
    func grantLease(ttlSeconds: Int) async throws(EtcdError) -> (id: Int64, ttlSeconds: Int) {
        try EtcdAnswer.leaseGrant(try await call(.grantLease(ttlSeconds: ttlSeconds)))
    }

    /// Renews the lease once. - Returns: its TTL from now in seconds; 0 when it has expired, was
    /// revoked or never existed (then keys attached to it are gone).
    func keepAlive(_ lease: Int64) async throws(EtcdError) -> Int {
        try EtcdAnswer.keepAlive(try await call(.keepAlive(lease), stream: true))
    }

    /// Ends the lease and deletes its keys. A lease that is already gone is not an error: the
    /// caller wanted it gone.
    func revoke(_ lease: Int64) async throws(EtcdError) {
        do {
            _ = try await call(.revoke(lease))
        } catch where error.kind == .server(code: EtcdError.notFoundCode) {
            return
        }
    }

    /// Cancels every watch, waits until each has ended, and stops the transport if the client
    /// started it. Calls made afterwards fail.
    func shutdown() async {
        await watches.cancelAll()
        if ownsTransport { await transport.shutdown() }
    }

    // MARK: - One call, endpoint by endpoint

    private func call(_ request: EtcdRequest, stream: Bool = false) async throws(EtcdError) -> JSON {
        let clock = ContinuousClock()
        let deadline = clock.now + requestTimeout
        let (urls, order) = endpointOrder()
        let body = request.body.serialized
        var failures: [String] = []
        for (position, index) in order.enumerated() {
            let remaining = deadline - clock.now
            guard remaining > .milliseconds(1) else { break }
            let budget = EtcdEndpoints.attemptBudget(remaining: remaining, attemptsLeft: order.count - position)
            let outcome = await transport.send(
                HTTPRequest(
                    method: .post, url: urls[index] + request.path, headers: EtcdRequest.headers, body: body,
                    connectTimeout: budget, timeout: budget))
            switch EtcdAnswer.verdict(outcome, stream: stream) {
            case .answer(let json):
                answered(index)
                return json
            case .fail(let error):
                answered(index)
                throw error
            case .tryNext(let reason):
                failures.append("\(urls[index]): \(reason)")
            }
        }
        if failures.count < order.count { failures.append("no time left for \(order.count - failures.count) more endpoint(s)") }
        throw EtcdError(.unreachable, "\(request.path): " + failures.joined(separator: "; "))
    }
}
