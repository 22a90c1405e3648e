/// pmd's configuration: every variable of SPEC §3 plus pmd's own extensions, parsed and
/// validated.
///
/// Build one with ``load(environment:overrides:)``; the variables, their flags, defaults and
/// parsers are listed once, in ``settings``.
struct Config: Sendable, Equatable {
    /// `PMD_DATA_DIR`: the LMDB environment directory.
    var dataDir: String
    /// `PMD_RPC_ADDR`: the JSON-RPC listener; port 0 picks a free port.
    var rpcAddress: HostPort
    /// `PMD_HTTP_ADDR`: the HTTP listener; port 0 picks a free port.
    var httpAddress: HostPort
    /// `PMD_RPC_KEY`: when set, every connection must `rpc.auth` first. Secret.
    var rpcKey: String?
    /// `PMD_MAP_SIZE`: LMDB map size in bytes.
    var mapSize: Int
    /// `PMD_MAX_LINE`: longest accepted request line in bytes.
    var maxLine: Int
    /// `PMD_SESSION_TTL`: session lifetime, renewed on use.
    var sessionTTL: Duration
    /// `PMD_RESET_TTL`: password-reset token lifetime.
    var resetTTL: Duration
    /// `PMD_INVITE_TTL`: invitation lifetime.
    var inviteTTL: Duration
    /// `PMD_SCRYPT_N`: scrypt cost (r=8, p=1), a power of two.
    var scryptN: Int
    /// `PMD_APP_URL`: base of links in mail and Stripe return URLs, no trailing slash.
    var appURL: String
    /// `PMD_SMTP_URL`: the mail relay; nil keeps mail in the outbox and logs it.
    var smtpURL: SMTPURL?
    /// `PMD_MAIL_FROM`: the sender.
    var mailFrom: MailAddress
    /// `PMD_PLANS_FILE`: a JSON plan catalog; nil uses the built-in one. Checked to be a
    /// readable file when loaded.
    var plansFile: String?
    /// `STRIPE_SECRET_KEY`: nil disables billing (503 "Billing is not configured"). Secret.
    var stripeSecretKey: String?
    /// `STRIPE_WEBHOOK_SECRET`: verifies webhook signatures; always set when
    /// ``stripeSecretKey`` is. Secret.
    var stripeWebhookSecret: String?
    /// `STRIPE_API_BASE`: Stripe's API, no trailing slash; tests point it at localstripe.
    var stripeAPIBase: String
    /// `STRIPE_PRICE_*`: price ids of the built-in catalog.
    var stripePrices: StripePriceIDs
    /// `PMD_LOG_LEVEL`.
    var logLevel: LogLevel
    /// `PMD_LOG_FORMAT`.
    var logFormat: LogFormat
    /// `PMD_RECONCILE_INTERVAL` (pmd extension): period of the Stripe reconciliation.
    var reconcileInterval: Duration
    /// `PMD_WAL_RETAIN` (pmd extension): WAL records kept after a checkpoint, for
    /// `pmd wal tail` and debugging; older ones are compacted away.
    var walRetain: Int
    /// `PMD_SHUTDOWN_GRACE` (pmd extension): how long graceful shutdown waits for
    /// in-flight requests before closing connections.
    var shutdownGrace: Duration
    /// `PMD_SWEEP_INTERVAL` (pmd extension): how often expired sessions and reset tokens are
    /// purged from memory and disk.
    var sweepInterval: Duration
    /// `PMD_ETCD_ENDPOINTS` (SPEC §10): set = cluster mode.
    var etcdEndpoints: [String]? = nil
    /// `PMD_CLUSTER`: the etcd key prefix is `/pmd/<cluster>/`.
    var clusterName = "pmd"
    /// `PMD_NODE_NAME`; nil = the host name (`nodeNameOrHost`).
    var nodeName: String? = nil
    /// `PMD_ADVERTISE_ADDR`; nil = the bound RPC address.
    var advertiseAddress: HostPort? = nil
    /// `PMD_SYNC_STANDBYS`.
    var syncStandbys = 1
    /// `PMD_LEADER_TTL`.
    var leaderTTL: Duration = .seconds(3)
    /// `PMD_MAX_CONNECTIONS` (pmd extension): open JSON-RPC connections (and, separately, HTTP
    /// connections) at most; beyond it a JSON-RPC client is answered "Too many connections".
    var maxConnections: Int = 0
    /// `PMD_IDLE_TIMEOUT` (pmd extension): a connection that sends nothing for this long is
    /// closed; nil (`off`) never closes one.
    var idleTimeout: Duration? = nil
    /// `PMD_TLS_CERT` (pmd extension): PEM certificate chain; with ``tlsKey``, both listeners
    /// speak TLS only. The configuration guarantees both or neither.
    var tlsCert: String? = nil
    /// `PMD_TLS_KEY` (pmd extension): PEM private key of ``tlsCert``.
    var tlsKey: String? = nil
    /// `PMD_TLS_CLIENT_CA` (pmd extension): PEM CA bundle; set = clients must present a
    /// certificate it signed (mutual TLS). Only with ``tlsCert``.
    var tlsClientCA: String? = nil
    /// `PMD_TLS_CA` (pmd extension): PEM CA bundle this node trusts when it connects to other
    /// nodes, and `pmd call` trusts; nil = ``tlsClientCA``, else the system's roots.
    var tlsCA: String? = nil

    /// True when billing is configured; ``load(environment:overrides:)`` guarantees that a
    /// configured key comes with a webhook secret.
    var billingEnabled: Bool { stripeSecretKey != nil }

    /// Cluster mode (SPEC §10) is on when etcd endpoints are given.
    var clusterMode: Bool { etcdEndpoints != nil }

    /// Both listeners speak TLS only when a certificate is configured (its key comes with it).
    var tlsEnabled: Bool { tlsCert != nil }
}
