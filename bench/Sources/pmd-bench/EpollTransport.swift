#if canImport(Glibc)
import CEpoll
import Glibc

/// Every connection on one thread with a bare `epoll` loop: per response one `read`, one `write`
/// and a share of an `epoll_wait`, and no allocation — the shape of `redis-benchmark`'s own
/// client. The load generator shares pmd's machine, so what it spends per request is taken from
/// pmd: this costs about 12 µs per non-pipelined request here, against 20 µs for `nio` (the
/// NIO pipeline on the client side) and 14 µs for `threads` (whose 50 runnable threads compete
/// with pmd's for the scheduler).
final class EpollTransport: Transport {
    let name = "epoll (1 thread)"
    private let sockets: [Socket]
    private let slot = Slot()
    private var thread: OSThread?

    /// The drivers, handed to the thread and back; only one side touches them at a time.
    private final class Slot: @unchecked Sendable {
        var drivers: [Driver] = []
    }

    init(address: Address, key: String?, connections: Int) throws {
        // Connected and authenticated blocking (setup is not timed), then switched to non-blocking.
        sockets = try (0..<connections).map { _ in try RPCClient(address: address, key: key).socket }
        for socket in sockets {
            let flags = fcntl(socket.fd, F_GETFL)
            _ = fcntl(socket.fd, F_SETFL, flags | O_NONBLOCK)
        }
    }

    func start(_ drivers: [Driver], control: RunControl) {
        precondition(drivers.count == sockets.count && thread == nil)
        slot.drivers = drivers
        let sockets = sockets
        let slot = slot
        thread = OSThread { Self.loop(sockets: sockets, slot: slot, control: control) }
    }

    func finish() -> [Driver] {
        thread?.join()
        thread = nil
        return slot.drivers
    }

    func close() {}

    /// One connection's state on the loop.
    private struct Connection {
        let fd: Int32
        let lines = LineBuffer()
        /// Issued bytes the socket did not take yet (waiting for `EPOLLOUT`).
        var pending: [UInt8] = []
        var done = false
    }

    private static func loop(sockets: [Socket], slot: Slot, control: RunControl) {
        var drivers = slot.drivers
        defer { slot.drivers = drivers }
        let epoll = epoll_create1(0)
        guard epoll >= 0 else { return control.recordError("epoll_create1: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(epoll) }
        var connections = sockets.map { Connection(fd: $0.fd) }
        var active = connections.count
        for index in connections.indices {
            watch(epoll, connections[index].fd, index, writable: false, op: EPOLL_CTL_ADD)
        }
        var out: [UInt8] = []
        out.reserveCapacity(16 * 1024)

        func fail(_ index: Int, _ message: String) {
            control.recordError(message)
            finish(index)
        }
        func finish(_ index: Int) {
            guard !connections[index].done else { return }
            connections[index].done = true
            active -= 1
            epoll_ctl(epoll, EPOLL_CTL_DEL, connections[index].fd, nil)
        }
        /// Issues what the driver wants in flight and writes it (or keeps what the socket refuses).
        func issue(_ index: Int) {
            drivers[index].issue(into: &out, now: monotonicNanos())
            if drivers[index].isFinished { return finish(index) }
            guard !out.isEmpty else { return }
            if connections[index].pending.isEmpty {
                let written = writeSome(connections[index].fd, out)
                if written < 0 { return fail(index, "write: \(String(cString: strerror(errno)))") }
                if written < out.count {
                    connections[index].pending = Array(out[written...])
                    watch(epoll, connections[index].fd, index, writable: true, op: EPOLL_CTL_MOD)
                }
            } else {
                connections[index].pending += out
            }
            out.removeAll(keepingCapacity: true)
        }

        for index in connections.indices { issue(index) }
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while active > 0 {
            let count = epoll_wait(epoll, &events, Int32(events.count), 1000)
            if count < 0 {
                if errno == EINTR { continue }
                return control.recordError("epoll_wait: \(String(cString: strerror(errno)))")
            }
            for event in events.prefix(Int(count)) {
                let index = Int(event.data.u64)
                guard !connections[index].done else { continue }
                if event.events & EPOLLOUT.rawValue != 0, !connections[index].pending.isEmpty {
                    let written = writeSome(connections[index].fd, connections[index].pending)
                    if written < 0 { fail(index, "write: \(String(cString: strerror(errno)))"); continue }
                    connections[index].pending.removeFirst(written)
                    if connections[index].pending.isEmpty {
                        watch(epoll, connections[index].fd, index, writable: false, op: EPOLL_CTL_MOD)
                    }
                }
                guard event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 else { continue }
                let fd = connections[index].fd
                let n = connections[index].lines.withFreeSpace { space in recv(fd, space.baseAddress!, space.count, 0) }
                if n == 0 { fail(index, "pmd closed the connection"); continue }
                if n < 0 {
                    if errno == EAGAIN || errno == EINTR { continue }
                    fail(index, "read: \(String(cString: strerror(errno)))")
                    continue
                }
                let now = monotonicNanos()
                connections[index].lines.drainLines { drivers[index].receive($0, now: now, control: control) }
                issue(index)
            }
        }
    }

    private static func watch(_ epoll: Int32, _ fd: Int32, _ index: Int, writable: Bool, op: Int32) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u64 = UInt64(index)
        epoll_ctl(epoll, op, fd, &event)
    }

    /// Bytes the socket took now (0 if none), or -1 on an error.
    private static func writeSome(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno == EAGAIN ? offset : -1
                }
                offset += n
            }
            return offset
        }
    }
}
#endif
