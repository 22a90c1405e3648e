/// Carries the drivers' bytes over pmd connections that stay open for the whole run, so setup and
/// the connection handshakes are never timed.
protocol Transport: AnyObject {
    /// How the client's connections are served, for the report.
    var name: String { get }
    /// Hands one driver to each connection and starts its loop; returns at once.
    func start(_ drivers: [Driver], control: RunControl)
    /// Waits until every driver has seen the stop phase and drained; returns them with their
    /// latencies. A connection that failed counts as an error in `control`.
    func finish() -> [Driver]
    func close()
}

/// How `pmd-bench` runs its connections.
enum TransportKind: String, CaseIterable, Sendable {
    /// SwiftNIO event loops multiplexing all connections.
    case nio
    /// One OS thread per connection with blocking syscalls.
    case threads
    /// One thread with a bare epoll loop over every connection.
    case epoll
}
