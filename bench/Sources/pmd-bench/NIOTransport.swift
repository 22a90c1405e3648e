import NIOCore
import NIOPosix

/// The connections on a few SwiftNIO event-loop threads (one by default): on a 2-core machine shared
/// with pmd, one thread multiplexing 50 sockets disturbs pmd less than 50 blocking threads do.
final class NIOTransport: Transport {
    let name: String
    private let group: MultiThreadedEventLoopGroup
    private var handlers: [LoadHandler] = []
    private var finished: [EventLoopFuture<Driver>] = []

    init(address: Address, key: String?, connections: Int, eventLoops: Int) throws {
        name = eventLoops == 1 ? "nio (1 event loop)" : "nio (\(eventLoops) event loops)"
        group = MultiThreadedEventLoopGroup(numberOfThreads: eventLoops)
        for _ in 0..<connections {
            let handler = LoadHandler()
            let channel = try ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                }
                .connect(host: address.host, port: address.port).wait()
            handler.channel = channel
            handlers.append(handler)
            if let key {
                try channel.eventLoop.flatSubmit { handler.authenticate(key: key) }.wait()
            }
        }
    }

    func start(_ drivers: [Driver], control: RunControl) {
        precondition(drivers.count == handlers.count && finished.isEmpty)
        finished = zip(handlers, drivers).map { handler, driver in
            handler.channel!.eventLoop.flatSubmit { handler.begin(driver, control: control) }
        }
    }

    func finish() -> [Driver] {
        let drivers = finished.map { future in try! future.wait() }
        finished.removeAll()
        return drivers
    }

    func close() {
        for handler in handlers { try? handler.channel?.close().wait() }
        try? group.syncShutdownGracefully()
    }
}

/// The per-connection handler: feeds response lines to its driver and writes what it issues.
/// Touched only on its channel's event loop (after construction).
private final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var channel: (any Channel)?
    private var driver: Driver?
    private var control: RunControl?
    private var done: EventLoopPromise<Driver>?
    private var authenticated: EventLoopPromise<Void>?
    private let lines = LineBuffer()
    private var out: [UInt8] = []

    func authenticate(key: String) -> EventLoopFuture<Void> {
        let channel = channel!
        let promise = channel.eventLoop.makePromise(of: Void.self)
        authenticated = promise
        var line = Wire.template(method: "rpc.auth", params: ["key": .string(key)])
        Wire.append([], id: 0, into: &line)
        channel.writeAndFlush(ByteBuffer(bytes: line), promise: nil)
        return promise.futureResult
    }

    func begin(_ driver: Driver, control: RunControl) -> EventLoopFuture<Driver> {
        let channel = channel!
        let promise = channel.eventLoop.makePromise(of: Driver.self)
        self.driver = driver
        self.control = control
        done = promise
        issueAndWrite(on: channel)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { lines.append($0) }
        if let promise = authenticated {
            if let line = lines.takeLine() {
                authenticated = nil
                let scan = line.withUnsafeBytes { Wire.scan($0) }
                if scan.isError {
                    promise.fail(AuthenticationFailed(response: String(decoding: line, as: UTF8.self)))
                } else {
                    promise.succeed()
                }
            }
            return
        }
        guard var driver, let control else { return }
        let now = monotonicNanos()
        lines.drainLines { driver.receive($0, now: now, control: control) }
        self.driver = driver
        issueAndWrite(on: context.channel)
    }

    private func issueAndWrite(on channel: any Channel) {
        guard var driver else { return }
        driver.issue(into: &out, now: monotonicNanos())
        if !out.isEmpty {
            var buffer = channel.allocator.buffer(capacity: out.count)
            buffer.writeBytes(out)
            channel.writeAndFlush(buffer, promise: nil)
            out.removeAll(keepingCapacity: true)
        }
        if driver.isFinished {
            self.driver = nil
            done?.succeed(driver)
            done = nil
        } else {
            self.driver = driver
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("connection failed: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail("pmd closed the connection")
    }

    private func fail(_ message: String) {
        authenticated?.fail(AuthenticationFailed(response: message))
        authenticated = nil
        if let promise = done, let driver {
            control?.recordError(message)
            promise.succeed(driver)
            done = nil
        }
    }
}

struct AuthenticationFailed: Error, CustomStringConvertible {
    var response: String
    var description: String { "rpc.auth failed: \(response)" }
}
