/// One HTTP request as the Stripe client makes it: a method, a full URL, headers and a body.
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", post = "POST" }

    public var method: Method
    public var url: String
    /// `Name: value` pairs, in order.
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var connectTimeout: Duration
    /// Bound on the whole exchange, so a Stripe that stops answering cannot hold a caller.
    public var timeout: Duration

    public init(
        method: Method, url: String, headers: [(String, String)], body: [UInt8] = [], connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// How an exchange ended.
public enum HTTPOutcome: Sendable, Equatable {
    /// An answer; header names lowercased.
    case response(status: Int, headers: [String: String], body: [UInt8])
    /// No answer. `transient` tells whether trying again may help.
    case failed(transient: Bool, reason: String)
}

/// Sends one request and waits for its outcome. The real one is libcurl on a thread pool;
/// tests script one.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async -> HTTPOutcome
}
