import NIOCore
import Protocol

/// The JSON-RPC part of a replication connection, from the standby's side: `rpc.auth` when the
/// cluster has a key (standbys authenticate like any client, SPEC §10), then one request
/// (`replication.start` or `replication.snapshot`). Its answer decides what follows: for a stream
/// or a snapshot the connection switches to binary frames (`then` installs their handlers and is
/// given any bytes that came after the answer); anything else ends the connection.
final class Handshake: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Answer: Sendable {
        case result(JSON)
        case error(code: Int, message: String, data: JSON?)
    }

    private let key: String?
    private let method: String
    private let params: JSON
    private let answered: @Sendable (Answer) -> Void
    /// Installs the frame handlers when the answer says the connection goes on; returns whether it does.
    private let then: @Sendable (Answer, any Channel) throws -> Bool
    private var buffer: ByteBuffer?
    private var authenticated: Bool
    private var done = false

    static let maxLine = 1 << 20

    init(
        key: String?, method: String, params: JSON, answered: @escaping @Sendable (Answer) -> Void,
        then: @escaping @Sendable (Answer, any Channel) throws -> Bool
    ) {
        self.key = key
        self.method = method
        self.params = params
        self.answered = answered
        self.then = then
        authenticated = key == nil
    }

    func channelActive(context: ChannelHandlerContext) {
        var out: [UInt8] = []
        if let key {
            out += RPCLine.request(id: "auth", method: "rpc.auth", params: ["key": .string(key)])
        }
        out += RPCLine.request(id: "start", method: method, params: params)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: out)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        while !done, let newline = buffer!.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer!.readerIndex
            let line = buffer!.readBytes(length: length)!
            buffer!.moveReaderIndex(forwardBy: 1)
            handle(line, context)
        }
        if !done, buffer!.readableBytes > Self.maxLine { finish(.error(code: -32600, message: "answer too long", data: nil), context) }
    }

    private func handle(_ line: [UInt8], _ context: ChannelHandlerContext) {
        guard let reply = try? line.withUnsafeBytes({ try JSON.parse($0) }) else {
            return finish(.error(code: -32700, message: "unreadable answer", data: nil), context)
        }
        let answer: Answer
        if let error = reply["error"] {
            answer = .error(code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "", data: error["data"])
        } else {
            answer = .result(reply["result"] ?? .null)
        }
        if !authenticated, reply["id"] == .string("auth") {
            guard case .result = answer else { return finish(answer, context) }
            authenticated = true
            return
        }
        finish(answer, context)
    }

    private func finish(_ answer: Answer, _ context: ChannelHandlerContext) {
        done = true
        let channel = context.channel
        let leftover = buffer.flatMap { $0.readableBytes > 0 ? $0 : nil }
        buffer = nil
        answered(answer)
        let goesOn = (try? then(answer, channel)) ?? false
        guard goesOn else {
            context.close(promise: nil)
            return
        }
        // What came after the answer is for the handlers `then` put behind this one: passed on
        // from here, not from the pipeline's head, where a TLS handler would take it for ciphertext.
        if let leftover { context.fireChannelRead(NIOAny(leftover)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !done {
            done = true
            answered(.error(code: 0, message: "connection closed", data: nil))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            answered(.error(code: 0, message: "connection closed", data: nil))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            answered(.error(code: 0, message: "\(error)", data: nil))
        }
        context.close(promise: nil)
    }
}

/// One JSON-RPC request line.
enum RPCLine {
    static func request(id: String, method: String, params: JSON) -> [UInt8] {
        let line: JSON = ["jsonrpc": "2.0", "id": .string(id), "method": .string(method), "params": params]
        return line.serialized + [UInt8(ascii: "\n")]
    }
}
