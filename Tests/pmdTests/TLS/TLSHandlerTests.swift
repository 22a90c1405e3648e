import NIOCore
import NIOEmbedded
import NIOExtras
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

    @Test func failuresAreExplainedInOneLine() throws {
        #expect(TLSFailure.explain(NIOSSLExtraError.failedToValidateHostname, overTLS: true)?.contains("not for this address") == true)
        // A plain client of a TLS listener receives an alert record, which is no line: its line
        // framing (as in `pmd call`) fails with the bytes left over when the listener closes.
        let framing = EmbeddedChannel(handler: ByteToMessageHandler(LineBasedFrameDecoder()))
        try framing.writeInbound(ByteBuffer(bytes: [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]))
        let alert = #expect(throws: NIOExtrasErrors.LeftOverBytesError.self) { try framing.finish() }
        #expect(TLSFailure.explain(alert!, overTLS: false) == "the server speaks TLS only: add --tls (and --tls-ca FILE for a private CA)")
        #expect(TLSFailure.explain(alert!, overTLS: true) == nil)
        #expect(TLSFailure.explain(ChannelError.connectTimeout(.seconds(5)), overTLS: true) == nil)
    }
}
