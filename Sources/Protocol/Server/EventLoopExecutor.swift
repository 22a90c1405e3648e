import NIOCore

/// Runs a connection's request tasks on the connection's own event loop. With this task
/// executor preference, the actors a request calls (default actors) run their part on the same
/// thread too (SE-0417), so a request that needs no other thread costs no thread hop: the
/// profile showed about a quarter of a read's CPU in hops and wake-ups between the event loop
/// and the cooperative pool. Actor isolation is unchanged; only where the code runs is.
final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
