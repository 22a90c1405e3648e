import NIOCore
import NIOSSL

/// Right after the JSON-RPC listener's TLS handler: a client that closes its sending side without
/// a TLS close_notify (Python's `ssl`, and many others, never send one) makes NIOSSL report an
/// unclean shutdown before the end of input. The connection's handler closes on any error, which
/// would throw away the answers still due; over plain TCP the same half-close gets them all
/// (`printf … | nc`). The end of input that follows is passed on as usual, and is what the
/// handler acts on. Truncation gains an attacker nothing: a line cut short is not JSON.
final class RaggedEOF: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError, case .uncleanShutdown = error { return }
        context.fireErrorCaught(error)
    }
}
