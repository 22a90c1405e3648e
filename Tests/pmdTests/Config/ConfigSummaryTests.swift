import Testing

@testable import pmd

@Suite struct ConfigSummaryTests {
    @Test func summaryListsEveryVariableAndRedactsSecrets() throws {
        let config = try Config.load(environment: [
            "PMD_RPC_KEY": "0123456789abcdef-secret",
            "STRIPE_SECRET_KEY": "sk_test_secret",
            "STRIPE_WEBHOOK_SECRET": "whsec_secret",
            "PMD_SMTP_URL": "smtps://user:hunter2@mail.example.com:465",
        ]).get()
        let summary = config.redactedSummary
        #expect(summary.map(\.name) == Config.settings.map(\.name))
        let values = Dictionary(uniqueKeysWithValues: summary.map { ($0.name, $0.value) })
        #expect(values["PMD_RPC_KEY"] == "<redacted>")
        #expect(values["STRIPE_SECRET_KEY"] == "<redacted>")
        #expect(values["STRIPE_WEBHOOK_SECRET"] == "<redacted>")
        #expect(values["PMD_SMTP_URL"] == "smtps://user:***@mail.example.com:465")
        #expect(values["PMD_MAP_SIZE"] == "8GiB")
        #expect(values["PMD_SESSION_TTL"] == "30d")
        #expect(values["PMD_RPC_ADDR"] == "127.0.0.1:7420")
        #expect(values["PMD_MAIL_FROM"] == "PenguinMails <no-reply@localhost>")
        #expect(values["PMD_PLANS_FILE"] == "unset")
        for entry in summary {
            #expect(!entry.value.contains("secret"))
            #expect(!entry.value.contains("hunter2"))
        }
    }

    @Test func unsetSecretsAreShownAsUnset() throws {
        let values = try Config.load(environment: [:]).get().redactedSummary
        #expect(values.first { $0.name == "PMD_RPC_KEY" }?.value == "unset")
    }
}
