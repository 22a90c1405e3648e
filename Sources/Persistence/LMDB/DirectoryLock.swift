#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory (`pmd.lock`, flock), held while a pmd serves it.
/// LMDB itself would let a second process open the same environment and write, and two pmds
/// each keeping their own memory image of one store would diverge; read-only tools (`pmd
/// backup`, `pmd wal tail`) do not take it.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws(Store.OpenError) {
        let path = directory + "/pmd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .filesystem("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : "?"
            close(fd)
            throw .filesystem("data directory \(directory) is in use by another pmd (pid \(holder))")
        }
        let pid = Array(String(getpid()).utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}
