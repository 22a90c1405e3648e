/// A listen address: `127.0.0.1:7420`, `0.0.0.0:0`, `[::1]:7420`.
struct HostPort: Sendable, Equatable, CustomStringConvertible {
    /// Host name or IP address, without IPv6 brackets — the form `bind(host:port:)` and
    /// getaddrinfo take.
    var host: String
    /// 0...65535; 0 asks the OS for a free port.
    var port: Int

    /// The address as written in configuration, with brackets around an IPv6 host.
    var description: String { "\(Self.bracketed(host)):\(port)" }

    /// Parses `host:port`; an IPv6 host goes in brackets (`[::1]:7420`).
    static func parse(_ text: String) -> Result<HostPort, ParseFailure> {
        guard let (host, portText) = splitAuthority(text), let portText else {
            return .failure(Self.shapeFailure(text))
        }
        guard !portText.isEmpty else {
            return .failure(ParseFailure(expected: "host:port", note: "the port is missing"))
        }
        guard let port = parsePort(portText) else {
            return .failure(ParseFailure(expected: "host:port with a port from 0 to 65535"))
        }
        return .success(HostPort(host: host, port: port))
    }

    /// Splits `host[:port]` (or `[v6][:port]`) into a non-empty host and the text after the
    /// colon, nil when there is no colon. Shared with the SMTP URL, whose port is optional.
    static func splitAuthority(_ text: String) -> (host: String, port: String?)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard isValidHost(host, allowColons: true) else { return nil }
            if rest.isEmpty { return (host, nil) }
            guard rest.hasPrefix(":") else { return nil }
            return (host, String(rest.dropFirst()))
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        // A second colon means an unbracketed IPv6 address: `::1:7420` is ambiguous.
        guard isValidHost(host, allowColons: false), parts.count == 1 || !parts[1].contains(":")
        else { return nil }
        return (host, parts.count == 2 ? String(parts[1]) : nil)
    }

    /// A port number in decimal digits, 0...65535.
    static func parsePort(_ text: String) -> Int? {
        guard text.count <= 5, ConfigSyntax.isDigits(text), let port = Int(text), port <= 65535
        else { return nil }
        return port
    }

    /// A host as written in a URL or address: an IPv6 host (it has colons) in brackets. Colons
    /// are looked for among scalars: a colon followed by a combining mark is one Character.
    static func bracketed(_ host: String) -> String {
        host.unicodeScalars.contains(":") ? "[\(host)]" : host
    }

    private static func isValidHost(_ host: String, allowColons: Bool) -> Bool {
        !host.isEmpty
            && host.unicodeScalars.allSatisfy { scalar in
                !scalar.properties.isWhitespace && !"/[]@?#".unicodeScalars.contains(scalar)
                    && (allowColons || scalar != ":")
            }
    }

    private static func shapeFailure(_ text: String) -> ParseFailure {
        if !text.hasPrefix("["), text.filter({ $0 == ":" }).count > 1 {
            return ParseFailure(expected: "host:port with an IPv6 host in brackets, as in [::1]:7420")
        }
        return ParseFailure(expected: "host:port")
    }
}
