import Foundation

/// A base URL that paths are appended to (`PMD_APP_URL`, `STRIPE_API_BASE`).
enum HTTPBaseURL {
    static let syntax = "an absolute http:// or https:// URL without query, fragment or credentials"

    /// Parses an absolute http(s) URL and returns it without trailing slashes, so that
    /// `base + "/reset-password"` never produces `//`. A query or fragment is rejected because
    /// appending a path after it would put the path inside the query; credentials are
    /// rejected because these URLs end up in mail and logs.
    static func parse(_ text: String) -> Result<String, ParseFailure> {
        guard let parts = URLComponents(string: text),
            let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parts.host, !host.isEmpty,
            parts.query == nil, parts.fragment == nil, parts.user == nil, parts.password == nil
        else { return .failure(ParseFailure(expected: syntax)) }
        if let port = parts.port, !(1...65535).contains(port) {
            return .failure(ParseFailure(expected: "a URL with a port from 1 to 65535"))
        }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return .success(base)
    }
}
