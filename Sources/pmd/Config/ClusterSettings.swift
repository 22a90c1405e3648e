/// Parsers of SPEC §10's variables (cluster mode).
enum ClusterSettings {
    /// `PMD_ETCD_ENDPOINTS`: comma-separated `http://host:port` URLs (etcd's v3 JSON gateway).
    static func endpoints(_ text: String) -> Result<[String], ParseFailure> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var urls: [String] = []
        for part in parts {
            guard case let .success(url) = HTTPBaseURL.parse(part), url.hasPrefix("http://") || url.hasPrefix("https://") else {
                return .failure(ParseFailure(expected: "comma-separated etcd URLs such as http://127.0.0.1:2379"))
            }
            urls.append(url)
        }
        return urls.isEmpty ? .failure(ParseFailure(expected: "at least one etcd URL")) : .success(urls)
    }

    /// `PMD_CLUSTER` and `PMD_NODE_NAME`: one etcd key segment, 1 to 63 of `a-z A-Z 0-9 . _ -`.
    static func name(_ text: String) -> Result<String, ParseFailure> {
        let allowed = text.utf8.allSatisfy { byte in
            RuleBytes.isAlnum(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !text.isEmpty, text.utf8.count <= 63, allowed else {
            return .failure(ParseFailure(expected: "1 to 63 letters, digits, '.', '_' or '-'"))
        }
        return .success(text)
    }

    /// `PMD_ADVERTISE_ADDR`: where others reach this node, so never port 0 nor a wildcard host.
    static func advertised(_ text: String) -> Result<HostPort, ParseFailure> {
        HostPort.parse(text).flatMap { address in
            guard address.port != 0, !["0.0.0.0", "::", ""].contains(address.host) else {
                return .failure(ParseFailure(expected: "a host:port others can connect to (no port 0, no 0.0.0.0)"))
            }
            return .success(address)
        }
    }

    /// `PMD_SYNC_STANDBYS`: 0 to 8.
    static func syncStandbys(_ text: String) -> Result<Int, ParseFailure> {
        guard ConfigSyntax.isDigits(text), let n = Int(text), (0...8).contains(n) else {
            return .failure(ParseFailure(expected: "a whole number from 0 to 8"))
        }
        return .success(n)
    }

    /// `PMD_LEADER_TTL`: 2 s to 60 s, in whole seconds (etcd leases are).
    static func leaderTTL(_ text: String) -> Result<Duration, ParseFailure> {
        DurationText.parse(text).flatMap { ttl in
            guard ttl >= .seconds(2), ttl <= .seconds(60) else {
                return .failure(ParseFailure(expected: "a duration from 2s to 60s"))
            }
            return .success(ttl)
        }
    }
}

/// Byte classes for the parsers above (the Actors module has its own for the domain rules).
enum RuleBytes {
    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
