import NIOPosix
import Synchronization

/// Hashes and verifies passwords with scrypt on a dedicated thread pool, never on an actor's
/// executor or an event loop (SPEC §5.7): one hash at N=2^17 takes ~0.4 s and 128 MiB.
public final class PasswordService: Sendable {
    private let pool: NIOThreadPool
    private let n: Int
    private let queued = Atomic<Int>(0)
    /// A hash of a random password, verified against when the email is unknown so that a login
    /// for a missing account costs the same time as one for an existing account.
    private let decoy = Mutex<String?>(nil)

    /// More waiting jobs than this answer 503 rather than queue without bound.
    public static let maxQueued = 256

    public init(n: Int, threads: Int) {
        self.n = n
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    public func shutdown() async {
        try? await pool.shutdownGracefully()
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(DomainError) -> T {
        guard queued.add(1, ordering: .relaxed).newValue <= Self.maxQueued else {
            queued.subtract(1, ordering: .relaxed)
            throw .unavailable("Too many password operations in progress; retry shortly")
        }
        defer { queued.subtract(1, ordering: .relaxed) }
        do {
            return try await pool.runIfActive(work)
        } catch {
            throw .unavailable("Password hashing is unavailable")
        }
    }

    public func hash(_ password: String) async throws(DomainError) -> String {
        let n = self.n
        return try await run { try PasswordHash.make(password: password, n: n) }
    }

    public func verify(_ password: String, against encoded: String) async throws(DomainError) -> Bool {
        try await run { PasswordHash.verify(password: password, against: encoded) }
    }

    /// Spends the time of a verification without a real hash to compare with; always false.
    public func verifyDecoy(_ password: String) async throws(DomainError) -> Bool {
        let n = self.n
        return try await run { [self] in
            let encoded = try decoy.withLock { stored in
                if let stored { return stored }
                let made = try PasswordHash.make(password: SecretToken.generate().token, n: n)
                stored = made
                return made
            }
            _ = PasswordHash.verify(password: password, against: encoded)
            return false
        }
    }
}
