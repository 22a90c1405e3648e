import Foundation

/// Starts a thread named `name` as the kernel sees it (`top -H`, `perf`, `/proc/PID/task/*/comm`,
/// `ionice -p`): Foundation's `Thread.name` on Linux does not reach the kernel, so every thread
/// showed as `pmd`. Linux keeps at most 15 bytes of a name.
func startNamedThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread {
        // pthread_setname_np is not in Swift's Glibc module; the kernel takes the name here too.
        try? String(name.utf8.prefix(15))!.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        body()
    }
    thread.name = name
    thread.start()
}
