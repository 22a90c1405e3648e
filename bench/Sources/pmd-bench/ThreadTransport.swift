import Synchronization

/// One OS thread per connection, blocking `read`/`write`: the loop is a handful of syscalls per
/// response and no allocation, and the kernel does the multiplexing. Spreads over every core, but
/// its 50 runnable threads compete with pmd's for the scheduler on a small machine.
final class ThreadTransport: Transport {
    let name = "threads"
    private let sockets: [Socket]
    private let slots: [Slot]
    private var threads: [OSThread] = []

    /// A driver handed to a thread and back; only one side touches it at a time (start → join).
    private final class Slot: @unchecked Sendable {
        var driver: Driver?
    }

    init(address: Address, key: String?, connections: Int) throws {
        sockets = try (0..<connections).map { _ in
            let client = try RPCClient(address: address, key: key)
            client.socket.setReceiveTimeout(seconds: 60)
            return client.socket
        }
        slots = sockets.map { _ in Slot() }
    }

    func start(_ drivers: [Driver], control: RunControl) {
        precondition(drivers.count == sockets.count && threads.isEmpty)
        for (index, driver) in drivers.enumerated() {
            let slot = slots[index]
            let socket = sockets[index]
            slot.driver = driver
            threads.append(OSThread { Self.loop(socket: socket, slot: slot, control: control) })
        }
    }

    func finish() -> [Driver] {
        for thread in threads { thread.join() }
        threads.removeAll()
        return slots.map { $0.driver! }
    }

    func close() {}

    private static func loop(socket: Socket, slot: Slot, control: RunControl) {
        var driver = slot.driver!
        defer { slot.driver = driver }
        let lines = LineBuffer()
        var out: [UInt8] = []
        out.reserveCapacity(16 * 1024)
        do {
            driver.issue(into: &out, now: monotonicNanos())
            while !driver.isFinished {
                if !out.isEmpty {
                    try socket.writeAll(out)
                    out.removeAll(keepingCapacity: true)
                }
                let n = try lines.withFreeSpace { (space) throws(Socket.Failure) in try socket.read(into: space) }
                if n == 0 { throw Socket.Failure(message: "pmd closed the connection") }
                let now = monotonicNanos()
                lines.drainLines { driver.receive($0, now: now, control: control) }
                driver.issue(into: &out, now: monotonicNanos())
            }
        } catch {
            control.recordError("connection failed: \(error)")
        }
    }
}
