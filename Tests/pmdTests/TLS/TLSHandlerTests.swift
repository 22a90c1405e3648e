import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import pmd

@Suite struct TLSHandlerTests {
    /// Records the errors that reach the handler after `RaggedEOF`.
    final class ErrorRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var errors: [String] = []
        func errorCaught(context: ChannelHandlerContext, error: any Error) { errors.append("\(error)") }
    }

    @Test func aRaggedEOFIsNotAnErrorButOtherTLSFailuresAre() throws {
        let recorder = ErrorRecorder()
        let channel = EmbeddedChannel(handlers: [RaggedEOF(), recorder])
        channel.pipeline.fireErrorCaught(NIOSSLError.uncleanShutdown)
        #expect(recorder.errors.isEmpty)
        channel.pipeline.fireErrorCaught(NIOSSLError.handshakeFailed(.sslError([])))
        #expect(recorder.errors.count == 1)
        _ = try channel.finish()
    }

    @Test func clientsSendHostNamesAsSNIButNeverAddresses() {
        #expect(ClientTLS.isIPAddress("127.0.0.1") && ClientTLS.isIPAddress("::1"))
        #expect(!ClientTLS.isIPAddress("localhost") && !ClientTLS.isIPAddress("pmd-1.internal"))
    }
}
