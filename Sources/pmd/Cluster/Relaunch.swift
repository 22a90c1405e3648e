import Foundation
import Logging

/// Starts this pmd afresh in the same process (`execv` of its own binary, same arguments and
/// environment, same pid): what a cluster node does when its memory can no longer be trusted to
/// match the cluster — a primary that lost its lease, or a standby whose log must first be cut
/// back or replaced by a snapshot. Start-up already does all of that safely (it is what a restart
/// after `kill -9` runs), so the node comes back as a standby that has reconciled its log.
enum Relaunch {
    /// The arguments to start with: the same, except that listen addresses given with port 0 are
    /// pinned to the ports bound now, so the node keeps the address the cluster knows it by.
    static func arguments(_ arguments: [String], pin: [String: String]) -> [String] {
        var result: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
                continue
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if pin[name] != nil {
                if !argument.contains("=") { skipNext = true }
                continue
            }
            result.append(argument)
        }
        for (flag, value) in pin.sorted(by: { $0.key < $1.key }) { result += [flag, value] }
        return result
    }

    /// Marks every descriptor but standard input, output and error to close at `execv`: NIO opens
    /// its sockets without `SOCK_CLOEXEC`, and the fresh pmd must not inherit the old one's
    /// listeners (their ports would stay taken) or its connections (they must end, so clients
    /// and standbys notice).
    static func closeOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Replaces this process with a fresh pmd; returns only if that failed.
    static func now(reason: String, pin: [String: String], logger: Logger) {
        logger.notice("restarting in place to rejoin the cluster", metadata: ["reason": "\(reason)"])
        let argv = arguments(CommandLine.arguments, pin: pin)
        var cArgs = argv.map { strdup($0) }
        cArgs.append(nil)
        closeOnExec()
        fflush(nil)
        execv("/proc/self/exe", &cArgs)
        logger.critical("could not restart in place", metadata: ["errno": "\(errno)"])
    }
}
