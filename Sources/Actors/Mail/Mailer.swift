import Logging
import Persistence
import Synchronization

/// Delivers the outbox. Features put an `OutboxEntry` into the WAL record of the change that
/// causes the mail and then call `committed(_:lsn:)`; the mailer waits until that record is
/// durable (a mail must never announce a change a crash could still take back), then, for each
/// attempt, has the link minted (`LinkMinter`: a fresh token whose hash is committed through the
/// WAL, the token itself kept in memory), waits for that record too, composes the mail and hands
/// it to the relay, retrying with backoff, and deletes the outbox row through the WAL once the
/// relay has accepted it. At start it is given the rows left undelivered by the last run.
///
/// A mail the relay refuses for good (`MailQueue.deadAfter` times) stays in the outbox as a dead
/// letter, marked through the WAL, until an operator retries or drops it (`Mailer+Operator`).
///
/// Without a relay (`PMD_SMTP_URL` unset) mail stays in the outbox and each one is logged; no
/// link is minted, so none exists. Delivery is at least once: a crash between the relay's
/// "250 OK" and the durable delete sends the mail again, with the same Message-ID and a new link
/// (the earlier one stops working).
public actor Mailer {
    /// `system.health`'s `mail`.
    public enum Status: String, Sendable {
        case ok
        case outboxOnly = "outbox-only"
        case failing
    }

    /// What health and metrics show, readable without a hop to the actor.
    public struct Report: Sendable, Equatable {
        public var status: Status
        /// Undelivered mail that will be tried (or, without a relay, kept).
        public var queued: Int
        /// Dead letters waiting for an operator.
        public var dead: Int

        public init(status: Status, queued: Int, dead: Int) {
            self.status = status
            self.queued = queued
            self.dead = dead
        }
    }

    struct Committed: Sendable {
        let entry: OutboxEntry
        let lsn: LSN
    }

    let transport: SMTPTransport?
    private let relayName: String
    private let encryption: SMTPEncryption?
    private let sender: MailSender
    /// `PMD_APP_URL`, without a trailing slash: the base of links.
    private let appURL: String
    private var minter: (any LinkMinter)?
    let journal: Journal
    let logger: Logger
    /// Every undelivered mail by id, dead letters included: what `mail.list` shows.
    var outbox: [ID: OutboxEntry]
    var deadCount: Int
    /// The entries being tried, when there is a relay.
    var queue: MailQueue
    private let incoming: AsyncStream<Committed>
    private let notify: AsyncStream<Committed>.Continuation
    private let published: Mutex<Report>
    let clock = ContinuousClock()
    /// The delivery loop while it waits for the next due mail or a new one.
    private var sleeper: CheckedContinuation<Void, Never>?
    private var timer: Task<Void, Never>?
    private var undeliveredAtStart: Int

    /// - Parameters:
    ///   - undelivered: the outbox as found at start (`OutboxEntry.loadAll`).
    ///   - relay: nil keeps mail in the outbox.
    ///   - relayName: how the relay appears in logs (no password).
    ///   - appURL: `PMD_APP_URL` without a trailing slash.
    public init(
        undelivered: [OutboxEntry], relay: SMTPRelay?, relayName: String, sender: MailSender, appURL: String,
        journal: Journal, logger: Logger, backoff: Backoff = .mail
    ) {
        transport = relay.map(SMTPTransport.init(relay:))
        self.relayName = relayName
        encryption = relay?.encryption
        self.sender = sender
        self.appURL = appURL
        self.journal = journal
        self.logger = logger
        var queue = MailQueue(backoff: backoff)
        if relay != nil {
            let now = ContinuousClock.now
            for entry in undelivered where entry.deadLetter == nil { queue.add(entry, now: now) }
        }
        self.queue = queue
        outbox = Dictionary(undelivered.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        deadCount = undelivered.count { $0.deadLetter != nil }
        undeliveredAtStart = undelivered.count
        (incoming, notify) = AsyncStream.makeStream(of: Committed.self)
        published = Mutex(
            Report(status: relay == nil ? .outboxOnly : .ok, queued: undelivered.count - deadCount, dead: deadCount))
    }

    /// A promoted standby's outbox (`ReplicaApplier.undeliveredMail`) replaces what this mailer
    /// loaded at start, before it begins to deliver (cluster mode: only a primary sends mail).
    public func adopt(_ undelivered: [OutboxEntry]) {
        outbox = Dictionary(undelivered.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        deadCount = undelivered.count { $0.deadLetter != nil }
        var fresh = MailQueue(backoff: queue.backoff)
        if transport != nil {
            let now = ContinuousClock.now
            for entry in undelivered where entry.deadLetter == nil { fresh.add(entry, now: now) }
        }
        queue = fresh
        undeliveredAtStart = undelivered.count
        publish()
    }

    /// Call right after appending the WAL record that holds `entry.put`, with that record's LSN.
    /// Cheap and non-blocking, so it may be called inside another actor's turn.
    public nonisolated func committed(_ entry: OutboxEntry, lsn: LSN) {
        notify.yield(Committed(entry: entry, lsn: lsn))
    }

    public nonisolated var report: Report { published.withLock { $0 } }

    func publish() {
        let status: Status = transport == nil ? .outboxOnly : queue.isFailing ? .failing : .ok
        published.withLock { $0 = Report(status: status, queued: outbox.count - deadCount, dead: deadCount) }
    }

    /// Who mints the links (the owners of resets and invitations, made after the mailer); set
    /// before `run`.
    public func attach(minter: any LinkMinter) { self.minter = minter }

    /// Delivers until the task is cancelled (graceful shutdown); what is left stays in the outbox.
    public func run() async {
        if transport == nil {
            logger.notice(
                "PMD_SMTP_URL is unset: mail is kept in the outbox and not delivered",
                metadata: ["undelivered": "\(undeliveredAtStart)", "deadLetters": "\(deadCount)"])
        } else {
            logger.info(
                "mail relay \(relayName)",
                metadata: [
                    "undelivered": "\(undeliveredAtStart)", "deadLetters": "\(deadCount)",
                    "encryption": "\(encryption?.rawValue ?? "")",
                ])
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.receive() }
            if transport != nil { group.addTask { await self.deliverLoop() } }
        }
        await transport?.shutdown()
    }

    // MARK: - Receiving

    private func receive() async {
        for await note in incoming {
            do {
                try await journal.wal.waitDurable(note.lsn)
            } catch {
                // Never durable, so its cause was never acknowledged either: no mail.
                continue
            }
            accept(note.entry)
        }
    }

    private func accept(_ entry: OutboxEntry) {
        outbox[entry.id] = entry
        defer { publish() }
        guard transport != nil else {
            logger.notice(
                "mail kept in the outbox (PMD_SMTP_URL is unset)",
                metadata: ["mailId": "\(entry.id)", "to": "\(entry.to)", "subject": "\(entry.content.subject)"])
            return
        }
        queue.add(entry, now: clock.now)
        wake()
    }

    // MARK: - Delivering

    private func deliverLoop() async {
        while !Task.isCancelled {
            if let entry = queue.nextDue(at: clock.now) {
                await deliver(entry)
            } else {
                await sleep(until: queue.nextWake)
            }
        }
    }

    private func deliver(_ entry: OutboxEntry) async {
        guard let transport else { return }
        guard let mail = await compose(entry) else {
            publish()
            return
        }
        // Dropped by an operator while its link was being minted: not sent.
        guard outbox[entry.id] != nil else { return }
        let message = MailMessage(entry, mail: mail, from: sender).rendered()
        let outcome = await withTaskCancellationHandler {
            await transport.deliver(from: sender.address, to: entry.to, message: message)
        } onCancel: {
            transport.abort()
        }
        switch outcome {
        case .delivered:
            queue.delivered(entry.id)
            logger.info("mail delivered", metadata: ["mailId": "\(entry.id)", "to": "\(entry.to)"])
            // Dropped by an operator while it was on its way: its row is already gone.
            if outbox.removeValue(forKey: entry.id) != nil {
                do {
                    _ = try journal.append("mail.delivered", at: .now(), [entry.delete])
                } catch {
                    // The row stays and the mail goes out again after a restart: at least once.
                    logger.error("mail delivered but not marked: storage failed", metadata: ["mailId": "\(entry.id)"])
                }
            }
        case let .failed(kind, reason):
            // Aborted by shutdown: it stays in the outbox for the next run.
            if Task.isCancelled { return }
            failed(entry, kind, reason: reason)
        }
        publish()
    }

    /// The mail for this attempt, its link freshly minted and durable; nil when it is not to be
    /// sent now (its link is obsolete and the entry is gone, or storage failed and it waits).
    private func compose(_ entry: OutboxEntry) async -> OutgoingMail? {
        guard entry.content.needsLink else {
            return entry.content.compose(to: entry.to, createdAt: entry.createdAt, token: "", appURL: appURL)
        }
        let minted = await minter?.mintLink(for: entry) ?? .unavailable
        switch minted {
        case let .minted(secret, lsn):
            do {
                try await journal.wal.waitDurable(lsn)
            } catch {
                failed(entry, .relay, reason: "storage failed")
                return nil
            }
            return entry.content.compose(to: entry.to, createdAt: entry.createdAt, token: secret.token, appURL: appURL)
        case .obsolete:
            queue.remove(entry.id)
            if outbox.removeValue(forKey: entry.id) != nil {
                _ = try? journal.append("mail.obsolete", at: .now(), [entry.delete])
            }
            logger.info(
                "mail not sent: its reset or invitation is no longer pending",
                metadata: ["mailId": "\(entry.id)", "kind": "\(entry.content.kind)", "to": "\(entry.to)"])
            return nil
        case .unavailable:
            failed(entry, .relay, reason: "storage failed")
            return nil
        }
    }

    private func failed(_ entry: OutboxEntry, _ kind: MailQueue.Failure, reason: String) {
        let verdict = queue.failed(entry.id, kind, reason: reason, now: clock.now, jitter: .random(in: Backoff.jitterRange))
        switch verdict {
        case let .retry(delay):
            logger.warning(
                "mail delivery failed; will retry",
                metadata: [
                    "mailId": "\(entry.id)", "relay": "\(relayName)", "reason": "\(reason)",
                    "failure": "\(kind == .relay ? "relay" : "message")",
                    "retryInSeconds": "\((Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18).rounded())",
                ])
        case let .deadLetter(attempts):
            guard var dead = outbox[entry.id] else { return }
            dead.deadLetter = OutboxEntry.DeadLetter(since: .now(), attempts: attempts, reason: reason)
            outbox[entry.id] = dead
            deadCount += 1
            do {
                _ = try journal.append("mail.dead", at: .now(), [dead.put])
            } catch {
                // Still queued on disk: a restart tries it again.
                logger.error("dead letter not marked: storage failed", metadata: ["mailId": "\(entry.id)"])
            }
            logger.error(
                "mail refused by the relay for good; kept as a dead letter (pmd mail retry or drop)",
                metadata: [
                    "mailId": "\(entry.id)", "to": "\(entry.to)", "kind": "\(entry.content.kind)",
                    "attempts": "\(attempts)", "reason": "\(reason)",
                ])
        }
    }

    /// Sleeps until `deadline` (forever when nil), a new mail, or cancellation.
    private func sleep(until deadline: ContinuousClock.Instant?) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                sleeper = continuation
                if Task.isCancelled {
                    wake()
                } else if let deadline {
                    timer = Task {
                        do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
                        self.wake()
                    }
                }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        timer?.cancel()
        timer = nil
    }

    func wake() {
        sleeper?.resume()
        sleeper = nil
    }
}
