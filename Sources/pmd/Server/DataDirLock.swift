#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory (`flock` on `pmd.lock` in it), held by `pmd serve` for
/// its whole life and by `pmd plans seed` while it writes. The WAL assumes it is the only writer
/// of its LMDB environment; two of them would hand out the same LSNs. The kernel drops the lock
/// when the process dies, so `kill -9` leaves nothing to clean up.
final class DataDirLock {
    private let descriptor: Int32

    struct Busy: Error, CustomStringConvertible {
        let directory: String
        var description: String { "another pmd is using \(directory) (\(directory)/pmd.lock is locked)" }
    }

    struct Unavailable: Error, CustomStringConvertible {
        let path: String
        let errno: Int32
        var description: String { "cannot open \(path): \(String(cString: strerror(errno)))" }
    }

    init(directory: String) throws {
        let path = directory + "/pmd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Unavailable(path: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Busy(directory: directory)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
