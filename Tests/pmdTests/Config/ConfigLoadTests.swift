import Foundation
import Testing

@testable import pmd

@Suite struct ConfigLoadTests {
    private func problems(_ environment: [String: String], overrides: [String: String] = [:]) -> [String] {
        switch Config.load(environment: environment, overrides: overrides) {
        case .success: return []
        case .failure(let errors): return errors.lines
        }
    }

    @Test func specExampleRendersExactly() {
        #expect(problems(["PMD_RPC_ADDR": "x"]) == [#"pmd: config: PMD_RPC_ADDR: expected host:port, got "x""#])
    }

    @Test func everyProblemIsReportedInTableOrder() {
        let lines = problems([
            "PMD_LOG_FORMAT": "xml",
            "PMD_MAP_SIZE": "1.5GiB",
            "PMD_RPC_ADDR": "x",
            "PMD_SESSION_TTL": "5",
            "PMD_SCRYPT_N": "1000",
        ])
        #expect(
            lines == [
                #"pmd: config: PMD_RPC_ADDR: expected host:port, got "x""#,
                #"pmd: config: PMD_MAP_SIZE: expected a size in bytes with an optional B, KiB, MiB or GiB suffix (e.g. 8GiB), got "1.5GiB""#,
                #"pmd: config: PMD_SESSION_TTL: expected a positive whole number with an s, m, h or d suffix (e.g. 90s, 1h, 30d), got "5""#,
                #"pmd: config: PMD_SCRYPT_N: expected a power of two from 16 to 1048576, got "1000""#,
                #"pmd: config: PMD_LOG_FORMAT: expected one of text or json, got "xml""#,
            ])
    }

    @Test func rangesAreChecked() {
        #expect(
            problems(["PMD_MAP_SIZE": "512KiB", "PMD_MAX_LINE": "128MiB"]) == [
                #"pmd: config: PMD_MAP_SIZE: expected a size of at least 1MiB, got "512KiB""#,
                #"pmd: config: PMD_MAX_LINE: expected a size from 1KiB to 64MiB, got "128MiB""#,
            ])
    }

    @Test func valuesAreQuotedOnOneLine() {
        #expect(
            problems(["PMD_LOG_LEVEL": "info\n"])
                == [
                    #"pmd: config: PMD_LOG_LEVEL: expected one of trace, debug, info, notice, warning, error or critical, got "info\n""#
                ])
    }

    @Test func secretValuesAreNeverEchoed() {
        let lines = problems([
            "PMD_RPC_KEY": "short-secret",
            "STRIPE_SECRET_KEY": "sk_test_abc def",
            "STRIPE_WEBHOOK_SECRET": "whsec_123\n",
            "PMD_SMTP_URL": "smtps://user:hunter2@host:99999",
        ])
        #expect(
            lines == [
                "pmd: config: PMD_RPC_KEY: expected a key of at least 16 characters, got a value of 12 characters",
                #"pmd: config: PMD_SMTP_URL: expected an SMTP URL with a port from 1 to 65535, got "smtps://user:***@host:99999""#,
                "pmd: config: STRIPE_SECRET_KEY: expected a value without whitespace, got a value of 15 characters",
                "pmd: config: STRIPE_WEBHOOK_SECRET: expected a value without whitespace, got a value of 10 characters",
            ])
        for secret in ["short-secret", "sk_test_abc", "whsec_123", "hunter2"] {
            #expect(!lines.joined().contains(secret))
        }
    }

    @Test func webhookSecretIsRequiredWithTheSecretKey() throws {
        #expect(
            problems(["STRIPE_SECRET_KEY": "sk_test_123"])
                == ["pmd: config: STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set"])
        let both = Config.load(environment: ["STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_1"])
        #expect(try both.get().billingEnabled)
        // The secret alone is harmless: billing stays off.
        #expect(problems(["STRIPE_WEBHOOK_SECRET": "whsec_1"]) == [])
    }

    @Test func overridesBeatTheEnvironment() throws {
        let config = try Config.load(
            environment: ["PMD_DATA_DIR": "/env", "PMD_RPC_ADDR": "x", "PMD_LOG_LEVEL": "debug"],
            overrides: ["PMD_DATA_DIR": "/flag", "PMD_RPC_ADDR": "0.0.0.0:0"]
        ).get()
        #expect(config.dataDir == "/flag")
        #expect(config.rpcAddress == HostPort(host: "0.0.0.0", port: 0))
        #expect(config.logLevel == .debug)
    }

    @Test func unknownPMDVariablesAreReportedWithASuggestion() {
        #expect(
            problems(["PMD_DATADIR": "/data", "PMD_BOGUS_THING": "1", "pmd_rpc_adr": "x", "HOME": "/root"]) == [
                "pmd: config: PMD_BOGUS_THING: unknown variable",
                "pmd: config: PMD_DATADIR: unknown variable (did you mean PMD_DATA_DIR?)",
                "pmd: config: pmd_rpc_adr: unknown variable (did you mean PMD_RPC_ADDR?)",
            ])
    }

    @Test func unknownOverrideNamesAreReported() {
        #expect(
            problems([:], overrides: ["STRIPE_SECRET_KY": "x"])
                == ["pmd: config: STRIPE_SECRET_KY: unknown variable (did you mean STRIPE_SECRET_KEY?)"])
    }

    @Test func listenersMustNotShareAnAddress() {
        #expect(
            problems(["PMD_RPC_ADDR": "127.0.0.1:8000", "PMD_HTTP_ADDR": "127.0.0.1:8000"])
                == [#"pmd: config: PMD_HTTP_ADDR: expected an address other than PMD_RPC_ADDR's, got "127.0.0.1:8000""#]
        )
        #expect(problems(["PMD_RPC_ADDR": "127.0.0.1:0", "PMD_HTTP_ADDR": "127.0.0.1:0"]) == [])
    }

    @Test func plansFileMustBeAReadableFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pmd-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("plans.json")
        try Data(#"[{"name":"Solo"}]"#.utf8).write(to: file)

        #expect(try Config.load(environment: ["PMD_PLANS_FILE": file.path]).get().plansFile == file.path)
        // Its content is checked with the rest of the configuration.
        let empty = directory.appendingPathComponent("empty.json")
        try Data("[]".utf8).write(to: empty)
        #expect(problems(["PMD_PLANS_FILE": empty.path]) == ["pmd: config: PMD_PLANS_FILE: plans: expected at least one plan"])
        let missing = directory.appendingPathComponent("nope.json").path
        #expect(
            problems(["PMD_PLANS_FILE": missing])
                == [#"pmd: config: PMD_PLANS_FILE: expected a readable file, got "\#(missing)" (no such file)"#])
        #expect(
            problems(["PMD_PLANS_FILE": directory.path])
                == [
                    #"pmd: config: PMD_PLANS_FILE: expected a readable file, got "\#(directory.path)" (it is a directory)"#
                ])
    }

    @Test func everyVariableIsParsedIntoItsField() throws {
        let config = try Config.load(environment: [
            "PMD_RPC_KEY": "0123456789abcdef",
            "PMD_HTTP_ADDR": "[::]:8080",
            "PMD_MAX_LINE": "64KiB",
            "PMD_RESET_TTL": "90s",
            "PMD_INVITE_TTL": "2d",
            "PMD_SCRYPT_N": "16",
            "PMD_APP_URL": "https://app.example.com/",
            "PMD_SMTP_URL": "smtp://127.0.0.1:2525",
            "PMD_MAIL_FROM": "ops@example.com",
            "STRIPE_API_BASE": "http://127.0.0.1:8420/",
            "STRIPE_PRICE_PROFESSIONAL_YEARLY": "price_123",
            "PMD_LOG_FORMAT": "json",
            "PMD_RECONCILE_INTERVAL": "1h",
            "PMD_WAL_RETAIN": "0",
            "PMD_SHUTDOWN_GRACE": "30s",
        ]).get()
        #expect(config.rpcKey == "0123456789abcdef")
        #expect(config.httpAddress == HostPort(host: "::", port: 8080))
        #expect(config.maxLine == 65_536)
        #expect(config.resetTTL == .seconds(90))
        #expect(config.inviteTTL == .seconds(172_800))
        #expect(config.scryptN == 16)
        #expect(config.appURL == "https://app.example.com")
        #expect(config.smtpURL?.port == 2525)
        #expect(config.mailFrom == MailAddress(name: nil, address: "ops@example.com"))
        #expect(config.stripeAPIBase == "http://127.0.0.1:8420")
        #expect(config.stripePrices.professionalYearly == "price_123")
        #expect(config.stripePrices.professionalMonthly == "price_professional_monthly")
        #expect(config.logFormat == .json)
        #expect(config.reconcileInterval == .seconds(3_600))
        #expect(config.walRetain == 0)
        #expect(config.shutdownGrace == .seconds(30))
    }
}
