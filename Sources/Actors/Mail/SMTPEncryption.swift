#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the connection to the relay is encrypted, decided once from `PMD_SMTP_URL`.
///
/// A plain `smtp://` conversation carries the mail (with its reset or invitation link) and the
/// relay's credentials in clear. Opportunistic STARTTLS does not protect them: whoever sits on
/// the path can strip the relay's STARTTLS offer and read everything. So STARTTLS is demanded —
/// the delivery fails before any credential or message is sent when the relay does not offer
/// it — unless the relay is on this machine and no credentials are given, where nothing travels
/// over a network (the usual local MTA or test server).
public enum SMTPEncryption: String, Sendable, Equatable {
    /// `smtps://`: TLS from the first byte.
    case implicitTLS = "implicit TLS"
    /// `smtp://` with STARTTLS required.
    case requireSTARTTLS = "STARTTLS required"
    /// `smtp://` to a loopback relay without credentials: STARTTLS when offered, else plain.
    case opportunistic = "STARTTLS if offered"

    public static func rule(implicitTLS: Bool, host: String, hasCredentials: Bool) -> SMTPEncryption {
        if implicitTLS { return .implicitTLS }
        return isLoopback(host) && !hasCredentials ? .opportunistic : .requireSTARTTLS
    }

    /// `localhost` (and names under `.localhost`, RFC 6761), 127.0.0.0/8, `::1` and IPv4-mapped
    /// loopback. Any other name counts as remote, even one that happens to resolve to loopback:
    /// the rule must not depend on DNS.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped && bytes[12] == 127
    }
}
