extension Config {
    /// Builds the configuration from environment variables and CLI overrides.
    ///
    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`. An empty value counts
    ///     as unset. Every `PMD_*` name that is not a known variable is a problem, so that a
    ///     typo (`PMD_DATADIR`) cannot silently fall back to a default.
    ///   - overrides: values from `pmd serve`'s flags, keyed by variable name; they win over
    ///     the environment. Unknown names are problems too.
    /// - Returns: the configuration, or every problem found (not just the first), each one
    ///   line, in table order then unknown names alphabetically.
    static func load(
        environment: [String: String], overrides: [String: String] = [:]
    ) -> Result<Config, ConfigErrors> {
        var config = unfilled
        var problems: [(rank: Int, problem: ConfigProblem)] = []
        var given: [String: String] = [:]
        var rejected: Set<String> = []

        for (rank, setting) in settings.enumerated() {
            let value = [overrides[setting.name], environment[setting.name]]
                .compactMap { $0 }.first { !$0.isEmpty }
            given[setting.name] = value
            // Every field without a default is optional, so skipping leaves it nil.
            guard let text = value ?? setting.defaultText else { continue }
            if let failure = setting.apply(text, &config) {
                rejected.insert(setting.name)
                problems.append(
                    (rank, .invalid(setting.name, value: text, secrecy: setting.secrecy, failure: failure)))
            }
        }

        for problem in crossChecks(config, given: given, rejected: rejected) {
            problems.append((rank(of: problem.subject), problem))
        }

        let known = settings.map(\.name)
        let strays =
            environment.filter { $0.key.uppercased().hasPrefix("PMD_") && !$0.value.isEmpty }.keys
            .filter { !known.contains($0) }
        for name in Set(strays).union(overrides.keys.filter { !known.contains($0) }).sorted() {
            let suggestion = ConfigSyntax.suggestion(for: name.uppercased(), among: known)
            problems.append((settings.count, .unknown(name, kind: "variable", suggestion: suggestion)))
        }

        guard problems.isEmpty else {
            // Sorting by rank alone keeps insertion order within a rank: Swift's sort is stable.
            return .failure(ConfigErrors(problems: problems.sorted { $0.rank < $1.rank }.map(\.problem)))
        }
        return .success(config)
    }

    /// Rules that involve more than one variable. They look at what was given rather than
    /// at parsed values where that is the rule's meaning ("required when set"), and skip
    /// variables already reported, so that one mistake is reported once.
    private static func crossChecks(
        _ config: Config, given: [String: String], rejected: Set<String>
    ) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if given["STRIPE_SECRET_KEY"] != nil, given["STRIPE_WEBHOOK_SECRET"] == nil {
            // Without the secret no webhook can be verified, and subscriptions would only
            // ever change through reconciliation.
            problems.append(
                ConfigProblem(
                    subject: "STRIPE_WEBHOOK_SECRET", message: "required when STRIPE_SECRET_KEY is set"))
        }
        if let path = config.plansFile, !rejected.contains("PMD_PLANS_FILE"),
            case let .failure(lines) = PlansFile.load(path: path)
        {
            // Checked with the rest of the configuration, so that a broken catalog stops
            // start-up (and `pmd check-config`) with one line per problem.
            problems += plansProblems(lines.lines).problems
        }
        if config.clusterMode, config.advertiseAddress == nil, !rejected.contains("PMD_RPC_ADDR"),
            ["0.0.0.0", "::"].contains(config.rpcAddress.host)
        {
            // Other nodes and clients are sent this address (`data.primary`): a wildcard is no use to them.
            problems.append(
                ConfigProblem(
                    subject: "PMD_ADVERTISE_ADDR",
                    message: "required in cluster mode when PMD_RPC_ADDR listens on every interface"))
        }
        problems += tlsProblems(config, given: given, rejected: rejected)
        if rejected.isDisjoint(with: ["PMD_RPC_ADDR", "PMD_HTTP_ADDR"]),
            config.rpcAddress == config.httpAddress, config.rpcAddress.port != 0
        {
            problems.append(
                .invalid(
                    "PMD_HTTP_ADDR", value: config.httpAddress.description, secrecy: .none,
                    failure: ParseFailure(expected: "an address other than PMD_RPC_ADDR's")))
        }
        return problems
    }

    private static func rank(of name: String) -> Int {
        settings.firstIndex { $0.name == name } ?? settings.count
    }

    /// The starting point that ``load(environment:overrides:)`` fills from the settings
    /// table; every non-optional field has a default there, so none of these survive.
    private static let unfilled = Config(
        dataDir: "", rpcAddress: HostPort(host: "", port: 0), httpAddress: HostPort(host: "", port: 0),
        rpcKey: nil, mapSize: 0, maxLine: 0, sessionTTL: .zero, resetTTL: .zero, inviteTTL: .zero,
        scryptN: 0, appURL: "", smtpURL: nil, mailFrom: MailAddress(name: nil, address: ""),
        plansFile: nil, stripeSecretKey: nil, stripeWebhookSecret: nil, stripeAPIBase: "",
        stripePrices: StripePriceIDs(
            starterMonthly: "", starterYearly: "", professionalMonthly: "", professionalYearly: "",
            enterpriseMonthly: "", enterpriseYearly: ""),
        logLevel: .info, logFormat: .text, reconcileInterval: .zero, walRetain: 0, shutdownGrace: .zero,
        sweepInterval: .zero)
}
