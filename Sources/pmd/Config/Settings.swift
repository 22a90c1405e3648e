extension Config {
    /// Every configuration variable, in the order of SPEC §3 followed by pmd's extensions.
    /// Parsing, CLI flags, `.env.example`, the README table and the redacted summary are
    /// generated from this list, so adding a variable here is the whole job.
    static let settings: [Setting] = [
        .value(
            "PMD_DATA_DIR", default: "./pmd-data", "LMDB environment directory",
            at: \.dataDir, parse: ValueParsers.text, format: { $0 }),
        .value(
            "PMD_RPC_ADDR", default: "127.0.0.1:7420",
            "JSON-RPC listener (host:port); port 0 = pick a free port",
            at: \.rpcAddress, parse: HostPort.parse, format: \.description),
        .value(
            "PMD_HTTP_ADDR", default: "127.0.0.1:7421",
            "HTTP listener for webhooks, health and metrics (host:port); port 0 = pick a free port",
            at: \.httpAddress, parse: HostPort.parse, format: \.description),
        .optional(
            "PMD_RPC_KEY",
            "when set (16 or more characters), every connection must authenticate first (rpc.auth)",
            secrecy: .whole, at: \.rpcKey, parse: ValueParsers.rpcKey, format: { $0 }),
        .value(
            "PMD_MAP_SIZE", default: "8GiB", "LMDB map size, at least 1MiB",
            at: \.mapSize, parse: { ByteSize.parse($0, in: ByteSize.mebibyte...Int.max) },
            format: ByteSize.format),
        .value(
            "PMD_MAX_LINE", default: "1MiB", "longest accepted request line, 1KiB to 64MiB",
            at: \.maxLine,
            parse: { ByteSize.parse($0, in: ByteSize.kibibyte...(64 * ByteSize.mebibyte)) },
            format: ByteSize.format),
        .value(
            "PMD_SESSION_TTL", default: "30d",
            "session lifetime, renewed on use (at most once an hour per session)",
            at: \.sessionTTL, parse: DurationText.parse, format: DurationText.format),
        .value(
            "PMD_RESET_TTL", default: "1h", "password-reset token lifetime",
            at: \.resetTTL, parse: DurationText.parse, format: DurationText.format),
        .value(
            "PMD_INVITE_TTL", default: "7d", "invitation lifetime",
            at: \.inviteTTL, parse: DurationText.parse, format: DurationText.format),
        .value(
            "PMD_SCRYPT_N", default: "131072",
            "scrypt cost (r=8, p=1), a power of two from 16 to 1048576; tests may lower it",
            at: \.scryptN, parse: ValueParsers.scryptN, format: { String($0) }),
        .value(
            "PMD_APP_URL", default: "http://localhost:3000",
            "base of links in mail and Stripe return URLs",
            at: \.appURL, parse: HTTPBaseURL.parse, format: { $0 }),
        .optional(
            "PMD_SMTP_URL",
            "mail relay, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host:465; smtp:// must offer STARTTLS unless the relay is on loopback without credentials; unset = mail is kept in the outbox and logged",
            secrecy: .urlPassword, at: \.smtpURL, parse: SMTPURL.parse, format: \.description),
        .value(
            "PMD_MAIL_FROM", default: "PenguinMails <no-reply@localhost>",
            "sender of pmd's mail: Name <address> or a bare address",
            at: \.mailFrom, parse: MailAddress.parse, format: \.description),
        .optional(
            "PMD_PLANS_FILE", "JSON plan catalog; unset = built-in catalog",
            at: \.plansFile, parse: ValueParsers.readableFile, format: { $0 }),
        .optional(
            "STRIPE_SECRET_KEY", "Stripe secret key; unset = billing calls answer 503 \"Billing is not configured\"",
            secrecy: .whole, at: \.stripeSecretKey, parse: ValueParsers.secret, format: { $0 }),
        .optional(
            "STRIPE_WEBHOOK_SECRET", "Stripe webhook signing secret; required when STRIPE_SECRET_KEY is set",
            secrecy: .whole, at: \.stripeWebhookSecret, parse: ValueParsers.secret, format: { $0 }),
        .value(
            "STRIPE_API_BASE", default: "https://api.stripe.com",
            "Stripe API base URL; tests point it at localstripe",
            at: \.stripeAPIBase, parse: HTTPBaseURL.parse, format: { $0 }),
        price("STRIPE_PRICE_STARTER_MONTHLY", "Starter", "monthly", at: \.stripePrices.starterMonthly),
        price("STRIPE_PRICE_STARTER_YEARLY", "Starter", "yearly", at: \.stripePrices.starterYearly),
        price(
            "STRIPE_PRICE_PROFESSIONAL_MONTHLY", "Professional", "monthly",
            at: \.stripePrices.professionalMonthly),
        price(
            "STRIPE_PRICE_PROFESSIONAL_YEARLY", "Professional", "yearly",
            at: \.stripePrices.professionalYearly),
        price(
            "STRIPE_PRICE_ENTERPRISE_MONTHLY", "Enterprise", "monthly",
            at: \.stripePrices.enterpriseMonthly),
        price(
            "STRIPE_PRICE_ENTERPRISE_YEARLY", "Enterprise", "yearly",
            at: \.stripePrices.enterpriseYearly),
        .value(
            "PMD_LOG_LEVEL", default: "info",
            "log level: trace, debug, info, notice, warning, error or critical",
            at: \.logLevel, parse: { ConfigSyntax.choice($0, as: LogLevel.self) }, format: \.rawValue),
        .value(
            "PMD_LOG_FORMAT", default: "text", "log format: text or json (one object per line)",
            at: \.logFormat, parse: { ConfigSyntax.choice($0, as: LogFormat.self) }, format: \.rawValue),
        // SPEC §10: cluster mode.
        .optional(
            "PMD_ETCD_ENDPOINTS", "comma-separated etcd client URLs (http://127.0.0.1:2379,…); set = cluster mode",
            at: \.etcdEndpoints, parse: ClusterSettings.endpoints, format: { $0.joined(separator: ",") }),
        .value(
            "PMD_CLUSTER", default: "pmd", "cluster name; every key pmd writes in etcd is under /pmd/<cluster>/",
            at: \.clusterName, parse: ClusterSettings.name, format: { $0 }),
        .optional(
            "PMD_NODE_NAME", "unique name of this node in the cluster; unset = the host name",
            at: \.nodeName, parse: ClusterSettings.name, format: { $0 }),
        .optional(
            "PMD_ADVERTISE_ADDR",
            "host:port other nodes and clients use to reach this node's RPC listener; unset = the bound RPC address",
            at: \.advertiseAddress, parse: ClusterSettings.advertised, format: \.description),
        .value(
            "PMD_SYNC_STANDBYS", default: "1",
            "how many standbys must have a record durable before the primary acknowledges it (0 = asynchronous)",
            at: \.syncStandbys, parse: ClusterSettings.syncStandbys, format: { String($0) }),
        .value(
            "PMD_LEADER_TTL", default: "3s",
            "etcd lease of the primary, 2s to 60s; a primary that cannot renew it stops acknowledging before it expires",
            at: \.leaderTTL, parse: ClusterSettings.leaderTTL, format: DurationText.format),
        .value(
            "PMD_RECONCILE_INTERVAL", default: "15m",
            "how often known subscriptions are re-read from Stripe to repair drift",
            extension: true, at: \.reconcileInterval, parse: DurationText.parse,
            format: DurationText.format),
        .value(
            "PMD_WAL_RETAIN", default: "100000",
            "WAL records kept after a checkpoint (for pmd wal tail); older ones are compacted",
            extension: true, at: \.walRetain, parse: ValueParsers.count, format: { String($0) }),
        .value(
            "PMD_SHUTDOWN_GRACE", default: "10s",
            "how long graceful shutdown waits for in-flight requests",
            extension: true, at: \.shutdownGrace, parse: DurationText.parse,
            format: DurationText.format),
        .value(
            "PMD_SWEEP_INTERVAL", default: "1m",
            "how often expired sessions and reset tokens are purged from memory and disk",
            extension: true, at: \.sweepInterval, parse: DurationText.parse,
            format: DurationText.format),
        .value(
            "PMD_MAX_CONNECTIONS", default: "10000",
            "most open connections per listener; beyond it JSON-RPC clients are answered \"Too many connections\" and HTTP ones wait",
            extension: true, at: \.maxConnections, parse: ValueParsers.connectionLimit, format: { String($0) }),
        .value(
            "PMD_IDLE_TIMEOUT", default: "5m",
            "a connection that sends nothing for this long (nothing of it running) is closed; off = never",
            extension: true, at: \.idleTimeout, parse: ValueParsers.idleTimeout,
            format: { $0.map(DurationText.format) ?? "off" }),
        .optional(
            "PMD_TLS_CERT",
            "PEM certificate (chain) of both listeners; set (with PMD_TLS_KEY) = JSON-RPC and HTTP speak TLS only, and cluster nodes connect to each other with TLS",
            extension: true, at: \.tlsCert, parse: PEMFiles.certificateFile, format: { $0 }),
        .optional(
            "PMD_TLS_KEY", "PEM private key of PMD_TLS_CERT (unencrypted); required with it",
            extension: true, at: \.tlsKey, parse: PEMFiles.privateKeyFile, format: { $0 }),
        .optional(
            "PMD_TLS_CLIENT_CA",
            "PEM CA bundle; set = clients (and other nodes) must present a certificate it signed (mutual TLS); needs PMD_TLS_CERT",
            extension: true, at: \.tlsClientCA, parse: PEMFiles.certificateFile, format: { $0 }),
        .optional(
            "PMD_TLS_CA",
            "PEM CA bundle trusted for connections to a pmd: between cluster nodes, and by pmd call (which then uses TLS); unset = PMD_TLS_CLIENT_CA, else the system's roots",
            extension: true, at: \.tlsCA, parse: PEMFiles.certificateFile, format: { $0 }),
    ]

    /// A Stripe price id variable; the default placeholder follows the name
    /// (`STRIPE_PRICE_STARTER_MONTHLY` → `price_starter_monthly`).
    private static func price(
        _ name: String, _ plan: String, _ period: String,
        at field: WritableKeyPath<Config, String> & Sendable
    ) -> Setting {
        .value(
            name, default: "price_\(plan.lowercased())_\(period)",
            "Stripe price id of the built-in \(plan) plan, \(period)",
            at: field, parse: ValueParsers.priceID, format: { $0 })
    }
}
