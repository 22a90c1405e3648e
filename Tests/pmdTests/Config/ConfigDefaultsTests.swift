import Testing

@testable import pmd

@Suite struct ConfigDefaultsTests {
    @Test func emptyEnvironmentGivesTheSpecDefaults() throws {
        let config = try Config.load(environment: [:]).get()
        #expect(config.dataDir == "./pmd-data")
        #expect(config.rpcAddress == HostPort(host: "127.0.0.1", port: 7420))
        #expect(config.httpAddress == HostPort(host: "127.0.0.1", port: 7421))
        #expect(config.rpcKey == nil)
        #expect(config.mapSize == 8 * 1_073_741_824)
        #expect(config.maxLine == 1_048_576)
        #expect(config.sessionTTL == .seconds(30 * 86_400))
        #expect(config.resetTTL == .seconds(3_600))
        #expect(config.inviteTTL == .seconds(7 * 86_400))
        #expect(config.scryptN == 131_072)
        #expect(config.appURL == "http://localhost:3000")
        #expect(config.smtpURL == nil)
        #expect(config.mailFrom == MailAddress(name: "PenguinMails", address: "no-reply@localhost"))
        #expect(config.plansFile == nil)
        #expect(config.stripeSecretKey == nil)
        #expect(config.stripeWebhookSecret == nil)
        #expect(!config.billingEnabled)
        #expect(config.stripeAPIBase == "https://api.stripe.com")
        #expect(
            config.stripePrices
                == StripePriceIDs(
                    starterMonthly: "price_starter_monthly", starterYearly: "price_starter_yearly",
                    professionalMonthly: "price_professional_monthly",
                    professionalYearly: "price_professional_yearly",
                    enterpriseMonthly: "price_enterprise_monthly", enterpriseYearly: "price_enterprise_yearly"))
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .text)
        #expect(config.reconcileInterval == .seconds(15 * 60))
        #expect(config.walRetain == 100_000)
        #expect(config.shutdownGrace == .seconds(10))
        #expect(config.sweepInterval == .seconds(60))
        #expect(config.maxConnections == 10_000)
        #expect(config.idleTimeout == .seconds(300))
    }

    @Test func emptyValuesCountAsUnset() throws {
        let config = try Config.load(environment: ["PMD_DATA_DIR": "", "PMD_RPC_KEY": "", "PMD_DATADIR": ""]).get()
        #expect(config.dataDir == "./pmd-data")
        #expect(config.rpcKey == nil)
    }

    @Test func tableNamesEveryVariableOnceWithTheDerivedFlag() {
        let names = Config.settings.map(\.name)
        #expect(Set(names).count == names.count)
        let flags = Dictionary(uniqueKeysWithValues: Config.settings.map { ($0.name, $0.flag) })
        #expect(flags["PMD_DATA_DIR"] == "--data-dir")
        #expect(flags["STRIPE_SECRET_KEY"] == "--stripe-secret-key")
        #expect(flags["STRIPE_PRICE_ENTERPRISE_YEARLY"] == "--stripe-price-enterprise-yearly")
        // SPEC §3's variables come first and are not marked as extensions; pmd's own follow.
        let extensions = Config.settings.filter(\.isExtension).map(\.name)
        #expect(names.prefix(names.count - extensions.count).allSatisfy { !extensions.contains($0) })
        #expect(names.firstIndex(of: "PMD_LOG_FORMAT")! < names.firstIndex(of: "PMD_RECONCILE_INTERVAL")!)
        #expect(
            Set(["PMD_RECONCILE_INTERVAL", "PMD_WAL_RETAIN", "PMD_SHUTDOWN_GRACE", "PMD_SWEEP_INTERVAL", "PMD_MAX_CONNECTIONS", "PMD_IDLE_TIMEOUT"])
                .isSubset(of: extensions))
    }
}
