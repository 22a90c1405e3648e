import NIOExtras
import NIOSSL

/// A failed TLS connection as one line a person can act on. BoringSSL's own words are error
/// stacks (`[Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED]`);
/// the reason at their end says which of a few usual mistakes it is.
enum TLSFailure {
    /// nil for an error that is not TLS's.
    static func explain(_ error: any Error, overTLS: Bool) -> String? {
        if !overTLS, isTLSAlert(error) { return "the server speaks TLS only: add --tls (and --tls-ca FILE for a private CA)" }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "TLS: the server's certificate is not for this address (it must name the host, or carry the IP address as a subject alternative name)"
        }
        guard error is NIOSSLError || error is BoringSSLError else { return nil }
        let text = "\(error)"
        for (reason, meaning) in reasons where text.contains(reason) {
            return "TLS: \(meaning)"
        }
        return "TLS: \(text)"
    }

    /// A plain connection to a listener that speaks TLS only: NIOSSL answers bytes that are not a
    /// handshake with an alert record (content type 21, version 3.x), which is no line, and closes.
    private static func isTLSAlert(_ error: any Error) -> Bool {
        guard let leftover = error as? NIOExtrasErrors.LeftOverBytesError else { return false }
        return Array(leftover.leftOverBytes.readableBytesView.prefix(2)) == [0x15, 0x03]
    }

    private static let reasons = [
        ("CERTIFICATE_VERIFY_FAILED", "the server's certificate is not signed by a trusted CA (trust a private CA with --tls-ca FILE or PMD_TLS_CA)"),
        ("CERTIFICATE_REQUIRED", "the server requires a client certificate (--tls-cert FILE --tls-key FILE)"),
        ("UNKNOWN_CA", "the server does not trust the client certificate's CA"),
        ("BAD_CERTIFICATE", "the server refused the client certificate"),
        ("WRONG_VERSION_NUMBER", "the server does not speak TLS (leave out --tls)"),
        ("eofDuringHandshake", "the server closed the connection during the handshake"),
    ]
}
