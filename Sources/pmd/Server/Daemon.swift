import Actors
import Foundation
import Logging
import NIOCore
import NIOPosix
import Persistence
import Protocol
import ServiceLifecycle
import Synchronization

/// `pmd serve`: recover state from LMDB, start the WAL writer, the actors, the JSON-RPC and HTTP
/// listeners, and run until SIGTERM/SIGINT; then drain, flush the WAL and close LMDB.
struct Daemon {
    let config: Config
    let logger: Logger

    func run() async throws {
        let logger = self.logger
        let recoveryStarted = ContinuousClock.now
        let tls = try NodeTLS(config: config)
        let cluster = config.clusterMode ? ClusterSetup(config: config) : nil
        let store: Store
        if let cluster {
            // A cluster node reconciles its log with the primary's before loading anything.
            store = try await ClusterBootstrap.openStore(
                .init(dataDir: config.dataDir, mapSize: config.mapSize, node: cluster.node, key: config.rpcKey, tls: tls?.peer), etcd: cluster.etcd,
                keys: cluster.keys, logger: logger)
        } else {
            store = try Store(directory: config.dataDir, mapSize: config.mapSize, tables: Tables.all)
        }
        let planDefinitions = try config.planDefinitions().get()
        let loaded = try IdentityState.load(from: store, now: .now())
        let undeliveredMail = try OutboxEntry.loadAll(from: store)
        let sentMail = try MailSend.loadAll(from: store)
        let recoveredLSN = try store.lastLSN()
        logger.info(
            "recovered state from LMDB",
            metadata: [
                "users": "\(loaded.state.users.count)", "sessions": "\(loaded.state.sessions.count)",
                "passwordResets": "\(loaded.state.resets.count)", "outbox": "\(undeliveredMail.count)",
                "mailQuota": "\(sentMail.count)",
                "lsn": "\(recoveredLSN)", "elapsed": "\(ContinuousClock.now - recoveryStarted)",
            ])

        FileDescriptorLimit.fit(maxConnections: config.maxConnections, logger: logger)
        let metrics = PMDMetrics()
        // A standby's received records go to memory once committed here (`ReplicaFeed`), through
        // this stream to the applier, which exists only once memory is loaded.
        let (replicated, replicatedInput) = AsyncStream.makeStream(of: [(LSN, WALRecord)].self)
        let feed = ReplicaFeed { replicatedInput.yield($0) }
        let wal = try WriteAheadLog(store: store, retain: config.walRetain, logger: logger) { report in
            metrics.commit(report)
            feed.committed(through: report.lastLSN)
        }
        // A cluster node writes nothing of its own until it is primary.
        if cluster != nil { wal.refuseAppends(.init(reason: "not the primary", kind: .notPrimary)) }
        wal.start()
        let journal = Journal(wal: wal)
        // In cluster mode the primary's periodic sweep purges what expired: a standby writes nothing.
        if cluster == nil, !loaded.purgeOps.isEmpty {
            _ = try journal.append("identity.sweep", at: .now(), loaded.purgeOps)
        }

        let mailer = Mailer(
            undelivered: undeliveredMail, relay: config.smtpURL.map(\.relay), relayName: config.smtpURL?.description ?? "none",
            sender: MailSender(name: config.mailFrom.name, address: config.mailFrom.address), appURL: config.appURL,
            journal: journal, logger: logger)
        let limiter = MailLimiter(sends: sentMail, journal: journal)
        let passwords = PasswordService(n: config.scryptN, threads: System.coreCount)
        // One event loop serves every JSON-RPC connection, and request tasks run on it (with the
        // actors they call): no thread hop per request. Measured with pmd-bench on 2 cores, this
        // served reads at 26 µs of CPU each against 41 µs with two loops handing requests to the
        // cooperative pool; the other core is left to the WAL writer, HTTP and the clients.
        // The identity and tenant actors run on that loop too (`LoopBound`), so methods that need
        // only their synchronous turns (users.me, users.update, companies.*) run in place,
        // without a task.
        let rpcLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let identity = Identity(
            state: loaded.state, journal: journal, passwords: passwords, mailer: mailer, limiter: limiter,
            settings: .init(sessionTTL: config.sessionTTL.components.seconds, resetTTL: config.resetTTL.components.seconds),
            loop: rpcLoop.next())
        let tenancyState = try TenancyLoader.load(from: store, journal: journal, loop: identity.loop)
        let directory = tenancyState.directory
        logger.info("recovered tenants", metadata: ["tenants": "\(directory.tenantCount)", "elapsed": "\(ContinuousClock.now - recoveryStarted)"])
        let tenancy = Tenancy(
            identity: identity, directory: directory, journal: journal, mailer: mailer, limiter: limiter,
            inviteTTLSeconds: config.inviteTTL.components.seconds)
        await mailer.attach(minter: MailLinks(identity: identity, tenancy: tenancy))

        // A cluster node seeds the catalog when it is promoted; until then it reads it.
        let plans = try await PlanSeeding.seed(store: store, journal: journal, definitions: planDefinitions, write: cluster == nil)
        logger.info(
            "plan catalog", metadata: ["active": "\(plans.catalog.active.count)", "changed": "\(plans.changed.count)",
                "source": "\(config.plansFile ?? "built-in")"])
        let (sync, stripeTransport) = makeStripeSync(directory: directory, index: tenancyState.billing, plans: plans.catalog, journal: journal)
        let billing = Billing(plans: plans.catalog, sync: sync, tenancy: tenancy)
        let runtime = Runtime(
            store: store, wal: wal, identity: identity, directory: directory, mail: { mailer.report },
            stripeStatus: { sync?.status ?? "disabled" })
        let role = RoleState()
        let context = cluster.map { cluster in
            ClusterContext(
                me: .init(
                    cluster: config.clusterName, node: cluster.node, address: config.advertiseAddress?.description ?? config.rpcAddress.description,
                    requiredStandbys: config.syncStandbys, leaderTTL: config.leaderTTL, rpcKey: config.rpcKey, tls: tls?.peer),
                store: store, wal: wal, role: role, logger: logger)
        }
        runtime.attach(cluster: context)
        var methods = SystemMethods.methods(runtime: runtime) + IdentityMethods.methods(identity: identity)
        methods += PasswordMethods.methods(identity: identity) + TenancyMethods.methods(tenancy: tenancy)
        methods += BillingMethods.methods(billing: billing) + MailMethods.methods(mailer: mailer)
        methods += ClusterMethods.methods(cluster: context, store: store)
        // In cluster mode only the primary answers what is not answered everywhere (421 elsewhere).
        var gate: (@Sendable () -> RPCError?)?
        if let role = context?.role { gate = { role.gate() } }
        let registry = MethodRegistry(methods, observer: metrics, gate: gate)
        runtime.attach(registry: registry)

        let rpc = try await RPCServer(
            settings: .init(
                host: config.rpcAddress.host, port: config.rpcAddress.port, maxLine: config.maxLine, rpcKey: config.rpcKey,
                maxConnections: config.maxConnections, idleTimeout: config.idleTimeout, addFirstHandlers: tls?.addServerHandlers),
            registry: registry, durability: wal, group: rpcLoop, logger: logger)
        runtime.attach(server: rpc)
        logger.notice("rpc listening on \(config.rpcAddress.with(port: rpc.localPort))", metadata: Self.tlsMetadata(config))
        if let context, config.advertiseAddress == nil {
            context.me.advertised.withLock { $0 = config.rpcAddress.with(port: rpc.localPort).description }
        }

        let httpAddress = config.httpAddress
        let httpBound = Mutex(httpAddress.port)
        let http = try HTTPListener.make(
            runtime: runtime, metrics: metrics, billing: billing, host: httpAddress.host, port: httpAddress.port,
            maxConnections: config.maxConnections, idleTimeout: config.idleTimeout, tls: tls?.server,
            group: MultiThreadedEventLoopGroup.singleton, logger: logger
        ) { [config] port in
            httpBound.withLock { $0 = port }
            logger.notice("http listening on \(httpAddress.with(port: port))", metadata: Self.tlsMetadata(config))
        }
        // Services stop in reverse order: the RPC listener drains first, then HTTP, then the
        // sweep and the mailer, whose last writes still reach the WAL before it closes.
        var primaryWork: [any Service] = [
            MailService(mailer: mailer), PeriodicService.sweep(identity, limiter, every: config.sweepInterval, logger: logger),
        ]
        if let sync { primaryWork.append(PeriodicService.reconcile(sync, every: config.reconcileInterval, logger: logger)) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let cluster, let context {
            let promoted = PromotionSignal()
            let applier = ReplicaApplier(
                identity: identity, directory: directory, billing: tenancyState.billing, limiter: limiter, journal: journal,
                outbox: undeliveredMail, invitationTenants: tenancyState.invitationTenants, appliedLSN: wal.localDurableLSN, logger: logger)
            Task {
                for await batch in replicated { await applier.apply(batch) }
            }
            let rpcBound = HostPort(host: config.rpcAddress.host, port: rpc.localPort)
            // A standby's stream (and its acks) on a loop of its own: on the JSON-RPC loop they
            // waited behind the applier's turns, and every wait is a write's latency.
            let replicationLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let node = ClusterNode(
                context: context, etcd: cluster.etcd, feed: feed, applier: applier, group: replicationLoop,
                hooks: .init(
                    promoted: {
                        do {
                            _ = try await PlanSeeding.seed(store: store, journal: journal, definitions: planDefinitions)
                        } catch {
                            logger.error("seeding the plan catalog failed", metadata: ["error": "\(error)"])
                        }
                        await mailer.adopt(await applier.undeliveredMail)
                        promoted.open()
                    },
                    relaunch: { reason in
                        await wal.close()
                        Relaunch.now(
                            reason: reason,
                            pin: ["--rpc-addr": rpcBound.description, "--http-addr": httpAddress.with(port: httpBound.withLock { $0 }).description],
                            logger: logger)
                    }))
            services.append(.init(service: ClusterService(node: node)))
            services += primaryWork.map { .init(service: PrimaryOnlyService(inner: $0, promoted: promoted)) }
        } else {
            services += primaryWork.map { .init(service: $0) }
        }
        services += [
            .init(service: http),
            .init(service: RPCService(server: rpc, grace: config.shutdownGrace, logger: logger)),
        ]
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await serviceGroup.run()
        } catch {
            await wal.close()
            await passwords.shutdown()
            await stripeTransport?.shutdown()
            try? await rpcLoop.shutdownGracefully()
            throw error
        }
        await wal.close()
        await passwords.shutdown()
        await stripeTransport?.shutdown()
        try? await rpcLoop.shutdownGracefully()
        logger.notice("stopped", metadata: ["durableLsn": "\(wal.durableLSN)"])
    }
}

extension Daemon {
    /// The Stripe sync actor when `STRIPE_SECRET_KEY` is set (the configuration guarantees the
    /// webhook secret then), with its HTTP transport to shut down at the end; nil otherwise.
    func makeStripeSync(
        directory: Directory, index: BillingIndex, plans: PlanCatalog, journal: Journal
    ) -> (StripeSync?, CurlTransport?) {
        guard let key = config.stripeSecretKey, let secret = config.stripeWebhookSecret else {
            logger.notice("STRIPE_SECRET_KEY is unset: billing answers 503 \"\(DomainError.Message.billingNotConfigured)\"")
            return (nil, nil)
        }
        let transport = CurlTransport()
        let client = StripeClient(secretKey: key, apiBase: config.stripeAPIBase, transport: transport, logger: logger)
        logger.info("Stripe API \(config.stripeAPIBase)", metadata: ["version": "\(StripeClient.apiVersion)"])
        let sync = StripeSync(
            client: client, directory: directory, index: index, plans: plans, journal: journal, webhookSecret: secret,
            appURL: config.appURL, logger: logger)
        return (sync, transport)
    }
}

extension Daemon {
    /// How a listener is reached, in its "listening" line: operators (and the tests) read it.
    static func tlsMetadata(_ config: Config) -> Logger.Metadata {
        guard config.tlsEnabled else { return [:] }
        return ["tls": config.tlsClientCA == nil ? "on" : "on, client certificates required"]
    }
}

extension HostPort {
    func with(port: Int) -> HostPort {
        var copy = self
        copy.port = port
        return copy
    }
}

/// What cluster mode needs before the store is opened.
struct ClusterSetup: Sendable {
    let etcd: EtcdClient
    let keys: ClusterKeys
    let node: String

    init(config: Config) {
        etcd = EtcdClient(endpoints: config.etcdEndpoints ?? [])
        keys = ClusterKeys(cluster: config.clusterName)
        node = config.nodeName ?? ProcessInfo.processInfo.hostName
    }
}
