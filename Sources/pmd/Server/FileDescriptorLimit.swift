import Foundation
import Logging

/// The process's open-file limit, raised at start to fit `PMD_MAX_CONNECTIONS`: every connection
/// is a file descriptor, and Debian's default soft limit (1024) would run out long before the
/// default of 10,000 connections per listener. The soft limit is raised as far as the hard limit
/// allows; when that is still too low, pmd says so once at start rather than failing accepts later.
enum FileDescriptorLimit {
    /// Descriptors pmd needs besides connections: LMDB files, the log, listeners, libcurl.
    static let reserve = 256

    /// Raises the soft limit toward what `maxConnections` on both listeners needs.
    static func fit(maxConnections: Int, logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        // Room for both listeners at their limit if the hard limit allows; a warning only when
        // not even the JSON-RPC listener's connections fit (HTTP sees few).
        let wanted = rlim_t(min(2 * maxConnections + reserve, Int(Int32.max)))
        let needed = rlim_t(min(maxConnections + reserve, Int(Int32.max)))
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        if limit.rlim_cur < needed {
            logger.warning(
                "the open-file limit is lower than PMD_MAX_CONNECTIONS needs; at the limit new connections wait",
                metadata: ["limit": "\(limit.rlim_cur)", "needed": "\(needed)", "hint": "raise ulimit -n or lower PMD_MAX_CONNECTIONS"])
        }
    }
}
