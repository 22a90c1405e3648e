/// The configuration value parsers. The first byte picks the parser, the rest is the value.
/// Beyond not crashing: what a parser accepts, the form pmd prints it in parses back to the same
/// value, and the SMTP URL's description never shows the password.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    switch data[0] % 9 {
    case 0:
        if case let .success(bytes) = ByteSize.parse(text) {
            precondition(try! ByteSize.parse(ByteSize.format(bytes)).get() == bytes, "ByteSize round trip")
        }
        _ = ByteSize.parse(text, in: 1024...(1 << 40))
    case 1:
        if case let .success(duration) = DurationText.parse(text) {
            precondition(try! DurationText.parse(DurationText.format(duration)).get() == duration, "DurationText round trip")
        }
    case 2:
        if case let .success(address) = HostPort.parse(text) {
            precondition(try! HostPort.parse(address.description).get() == address, "HostPort round trip")
        }
    case 3:
        if case let .success(url) = SMTPURL.parse(text) {
            // The description (what is logged) does not depend on the password at all.
            var other = url
            other.password = url.password.map { $0 + "x" }
            precondition(other.description == url.description, "SMTP password in the description")
            precondition((try? SMTPURL.parse(url.urlWithoutCredentials).get())?.host == url.host, "SMTPURL round trip")
        }
        _ = SMTPURL.redacting(text)
    case 4:
        if case let .success(sender) = MailAddress.parse(text) {
            precondition(try! MailAddress.parse(sender.description).get() == sender, "MailAddress round trip")
        }
    case 5:
        if case let .success(base) = HTTPBaseURL.parse(text) {
            precondition(!base.hasSuffix("/"), "a base URL ending in /")
        }
    case 6:
        _ = ValueParsers.rpcKey(text)
        _ = ValueParsers.secret(text)
        _ = ValueParsers.priceID(text)
    case 7:
        if case let .success(n) = ValueParsers.scryptN(text) { precondition(n.nonzeroBitCount == 1, "scrypt N not a power of two") }
        _ = ValueParsers.count(text)
    default:
        _ = ConfigSyntax.suggestion(for: String(text.prefix(64)), among: ["PMD_DATA_DIR", "PMD_RPC_ADDR", "PMD_MAX_LINE"])
    }
    return 0
}
