import Foundation

/// The mail relay (`PMD_SMTP_URL`): `smtp://127.0.0.1:2525` or `smtps://user:pass@host:465`.
///
/// Credentials are kept apart from the URL so that the mailer can hand them to libcurl
/// separately (`CURLOPT_USERNAME`/`CURLOPT_PASSWORD`) and the URL can be logged.
struct SMTPURL: Sendable, Equatable, CustomStringConvertible {
    /// `smtps`: TLS from the first byte. `smtp` starts plain and is upgraded with STARTTLS,
    /// which is required unless the relay is on loopback without credentials (`SMTPEncryption`).
    var implicitTLS: Bool
    /// Without IPv6 brackets.
    var host: String
    /// Nil means the scheme's default, ``defaultPort``.
    var port: Int?
    /// Percent-decoded.
    var user: String?
    /// Percent-decoded. Secret: never logged, never in ``description``.
    var password: String?
    /// Empty or starting with `/`; libcurl sends it as the EHLO domain.
    var path: String

    var scheme: String { implicitTLS ? "smtps" : "smtp" }
    var defaultPort: Int { implicitTLS ? 465 : 25 }

    /// The URL to connect to, credentials left out.
    var urlWithoutCredentials: String {
        let portText = port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(HostPort.bracketed(host))\(portText)\(path)"
    }

    /// The URL with the password replaced by `***`, safe for logs.
    var description: String {
        guard let user else { return urlWithoutCredentials }
        let portText = port.map { ":\($0)" } ?? ""
        let secret = password == nil ? "" : ":***"
        return "\(scheme)://\(user)\(secret)@\(HostPort.bracketed(host))\(portText)\(path)"
    }

    static let syntax = "an smtp:// or smtps:// URL with a host, as in smtps://user:pass@host:465"

    /// Parses an SMTP URL. User and password must be percent-encoded where they contain
    /// `:`, `@`, `/`, `?` or `#`.
    static func parse(_ text: String) -> Result<SMTPURL, ParseFailure> {
        let shape = ParseFailure(expected: syntax)
        guard let schemeEnd = text.range(of: "://") else { return .failure(shape) }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "smtp" || scheme == "smtps" else { return .failure(shape) }
        var rest = text[schemeEnd.upperBound...]

        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let pieces = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = pieces[0].removingPercentEncoding, !name.isEmpty else {
                return .failure(ParseFailure(expected: "a percent-encoded user name before the @"))
            }
            user = name
            if pieces.count == 2, !pieces[1].isEmpty {
                guard let secret = pieces[1].removingPercentEncoding else {
                    return .failure(ParseFailure(expected: "a percent-encoded password"))
                }
                password = secret
            }
        }

        guard !rest.contains("?"), !rest.contains("#") else { return .failure(shape) }
        let pathStart = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let (host, portText) = HostPort.splitAuthority(String(rest[..<pathStart])) else {
            return .failure(shape)
        }
        var port: Int?
        if let portText {
            guard let number = HostPort.parsePort(portText), number > 0 else {
                return .failure(ParseFailure(expected: "an SMTP URL with a port from 1 to 65535"))
            }
            port = number
        }
        return .success(
            SMTPURL(
                implicitTLS: scheme == "smtps", host: host, port: port, user: user,
                password: password, path: String(rest[pathStart...])))
    }

    /// Replaces the password of a URL-shaped text with `***`, also when the text is too
    /// broken to parse — error lines quote rejected values and must not leak the password.
    static func redacting(_ text: String) -> String {
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        guard let at = text[start...].lastIndex(of: "@"),
            let colon = text[start..<at].firstIndex(of: ":")
        else { return text }
        return String(text[...colon]) + "***" + String(text[at...])
    }
}
