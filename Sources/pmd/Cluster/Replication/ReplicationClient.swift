import NIOCore
import NIOPosix
import Persistence
import Protocol
import Synchronization

/// A node's connections to another: the stream (`replication.start`) and a snapshot
/// (`replication.snapshot`) from the primary, and health probes, each opened with the JSON-RPC
/// handshake (`Handshake`) — over TLS when this node's listeners speak it, since the other
/// node's listener then speaks nothing else.
enum ReplicationClient {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects to `address` and asks `method`; `then` installs the frame handlers when the
    /// answer says the connection goes on (see `Handshake`). Returns the answer and the channel.
    static func ask(
        _ address: String, method: String, params: JSON, key: String?, tls: ClientTLS?, group: any EventLoopGroup,
        then: @escaping @Sendable (Handshake.Answer, any Channel) throws -> Bool
    ) async -> (Handshake.Answer, (any Channel)?) {
        guard case let .success(target) = HostPort.parse(address) else {
            return (.error(code: 0, message: "bad address \(address)", data: nil), nil)
        }
        let loop = group.next()
        let answer = OnceAnswer()
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(2))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // TLS stays first: the frame handlers that follow the handshake go after it.
                        if let tls { try channel.pipeline.syncOperations.addHandler(try tls.handler(for: target.host)) }
                        try channel.pipeline.syncOperations.addHandler(
                            Handshake(key: key, method: method, params: params, answered: { answer.give($0) }, then: then))
                    }
                }
                .connect(host: target.host, port: target.port).get()
            return (await answer.value, channel)
        } catch {
            answer.give(.error(code: 0, message: "cannot reach \(address): \(error)", data: nil))
            return (await answer.value, nil)
        }
    }

    /// Fetches a snapshot into `directory`; returns the LSN it holds.
    static func snapshot(
        from address: String, node: String, key: String?, tls: ClientTLS?, into directory: String, group: any EventLoopGroup
    ) async throws -> LSN {
        let loop = group.next()
        let done = loop.makePromise(of: LSN.self)
        let (answer, channel) = await ask(address, method: "replication.snapshot", params: ["node": .string(node)], key: key, tls: tls, group: loop) {
            answer, channel in
            guard case .result = answer else { return false }
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
            try channel.pipeline.syncOperations.addHandler(SnapshotReceiver(directory: directory, done: done))
            return true
        }
        guard case .result = answer, channel != nil else {
            done.fail(Failure(description: "snapshot refused: \(answer)"))
            throw Failure(description: "the primary did not send a snapshot: \(answer)")
        }
        return try await done.futureResult.get()
    }
}

/// The first answer given, to one waiter: the handshake's handler and the connect's failure may
/// both report, whichever comes first wins.
final class OnceAnswer: Sendable {
    private let state = Mutex<(answer: Handshake.Answer?, waiter: CheckedContinuation<Handshake.Answer, Never>?)>((nil, nil))

    func give(_ answer: Handshake.Answer) {
        let waiter = state.withLock { state -> CheckedContinuation<Handshake.Answer, Never>? in
            guard state.answer == nil else { return nil }
            state.answer = answer
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: answer)
    }

    var value: Handshake.Answer {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Handshake.Answer? in
                    if let answer = state.answer { return answer }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
