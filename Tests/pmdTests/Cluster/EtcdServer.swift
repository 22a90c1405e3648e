import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real etcd for a test: Debian's /usr/bin/etcd as a one-member cluster on free loopback
/// ports with a temporary data dir, never the system's etcd on 2379. `scripts/test` installs it;
/// without it the tests fail (rather than skip), saying so.
///
/// Waiting is done with `Task.sleep`, never by blocking a thread: the tests share the two-thread
/// cooperative pool, and a test polling a starting etcd with `usleep` held up another test's
/// calls for seconds — long enough for its 2 s lease to expire between grant and put.
final class EtcdServer: Sendable {
    static let binary = "/usr/bin/etcd"

    let clientURL: String
    let clientPort: Int
    let directory: URL
    private let process: Process
    let pid: pid_t

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where data dirs go: tmpfs when there is one. These tests are about the client, not etcd's
    /// disk, and a shared disk's fsync stalls under a parallel build only add noise.
    static let scratch: URL = {
        let shm = URL(fileURLWithPath: "/dev/shm")
        return FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
    }()

    /// Starts a one-member etcd and returns once it answers /health.
    static func start(name: String = "pmd-test") async throws -> EtcdServer {
        try await startCluster(size: 1)[0]
    }

    /// Starts `size` members of one etcd cluster and returns once every one answers /health
    /// (which needs a leader, so a majority running).
    static func startCluster(size: Int) async throws -> [EtcdServer] {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StartFailure(
                description: "\(binary) is missing: the etcd tests need Debian's etcd-server, which scripts/test installs")
        }
        var lastFailure: Error?
        // A free port found here may be taken by another process before etcd binds it: try again.
        for _ in 0..<3 {
            let ports = try (0..<size).map { _ in (client: try freeLoopbackPort(), peer: try freeLoopbackPort()) }
            let names = (0..<size).map { size == 1 ? "pmd-test" : "pmd-test-\($0)" }
            let initialCluster = zip(names, ports).map { "\($0)=http://127.0.0.1:\($1.peer)" }.joined(separator: ",")
            var members: [EtcdServer] = []
            do {
                for (name, port) in zip(names, ports) {
                    members.append(try EtcdServer(name: name, clientPort: port.client, peerPort: port.peer, initialCluster: initialCluster))
                }
                for member in members { try await member.waitUntilHealthy() }
                return members
            } catch {
                lastFailure = error
                for member in members { await member.stop() }
            }
        }
        throw lastFailure!
    }

    private init(name: String, clientPort: Int, peerPort: Int, initialCluster: String) throws {
        directory = Self.scratch.appendingPathComponent("pmd-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.clientPort = clientPort
        clientURL = "http://127.0.0.1:\(clientPort)"
        let peerURL = "http://127.0.0.1:\(peerPort)"
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("etcd.log").path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: directory.appendingPathComponent("etcd.log"))
        defer { try? logHandle.close() }

        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [
            "--name", name, "--data-dir", directory.appendingPathComponent("data").path,
            "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
            "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
            "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
            "--logger", "zap", "--log-level", "warn",
        ]
        // etcd reads ETCD_* variables as flags, and refuses one that a flag here also sets.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCD_") }
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        pid = process.processIdentifier
    }

    private func waitUntilHealthy() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let output = (try? String(contentsOf: directory.appendingPathComponent("etcd.log"), encoding: .utf8)) ?? ""
                throw StartFailure(description: "etcd exited with \(process.terminationStatus): \(output.suffix(2000))")
            }
            let port = clientPort
            if await offThePool({ httpGet(port: port, path: "/health") })?.contains(#""health":"true""#) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartFailure(description: "etcd did not answer /health on \(clientURL) within 20 s")
    }

    /// SIGTERM, then SIGKILL if it lingers; removes the data dir.
    func stop() async {
        await end(signal: SIGTERM)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGKILL: a crash, as far as clients can tell. The data dir stays until `stop()`.
    func kill() async {
        await end(signal: SIGKILL)
    }

    /// SIGSTOP: etcd hangs while the kernel still accepts connections for it (a wedged member).
    func pause() { _ = Glibc.kill(pid, SIGSTOP) }

    func resume() { _ = Glibc.kill(pid, SIGCONT) }

    private func end(signal: Int32) async {
        guard process.isRunning else { return }
        _ = Glibc.kill(pid, SIGCONT)
        _ = Glibc.kill(pid, signal)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { _ = Glibc.kill(pid, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }
}

/// Runs `body` with a fresh one-member etcd, stopped afterwards whatever happens.
func withEtcd<T>(_ body: (EtcdServer) async throws -> T) async throws -> T {
    try await withEtcdCluster(size: 1) { try await body($0[0]) }
}

/// Runs `body` with a fresh cluster of `size` members, stopped afterwards whatever happens.
func withEtcdCluster<T>(size: Int, _ body: ([EtcdServer]) async throws -> T) async throws -> T {
    let members = try await EtcdServer.startCluster(size: size)
    do {
        let result = try await body(members)
        for member in members { await member.stop() }
        return result
    } catch {
        for member in members { await member.stop() }
        throw error
    }
}

/// Runs blocking I/O on a Dispatch thread: etcd does not answer /health while it has no leader (the
/// socket gives up after a second), and a cooperative thread blocked that long stalls other tests'
/// tasks with it.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}

/// A port the kernel has just handed out on 127.0.0.1 and nobody holds now.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw EtcdServer.StartFailure(description: "socket: errno \(errno)") }
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw EtcdServer.StartFailure(description: "bind: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A plain HTTP/1.0 GET on loopback, independent of the code under test; nil on any failure.
func httpGet(port: Int, path: String) -> String? {
    httpRequest(port: port, "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
}

/// Sends `request` as it is and reads the answer until the server closes the connection.
func httpRequest(port: Int, _ text: String) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected else { return nil }
    let request = Array(text.utf8)
    guard write(fd, request, request.count) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        response.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: response, as: UTF8.self)
}

/// A POST straight to an etcd's gateway, for what the client under test does not do.
func httpPost(_ etcd: EtcdServer, path: String, body: String) async -> String? {
    let (port, request) = (etcd.clientPort, "POST \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
    return await offThePool { httpRequest(port: port, request) }
}
