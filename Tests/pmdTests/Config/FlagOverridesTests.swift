import Testing

@testable import pmd

@Suite struct FlagOverridesTests {
    @Test func flagsBecomeOverridesByVariableName() {
        let result = Config.overrides(fromFlags: [
            "--data-dir", "/srv/pmd", "--rpc-addr=0.0.0.0:0", "--stripe-secret-key", "sk_test", "--data-dir", "/last",
        ])
        #expect(
            result
                == .success([
                    "PMD_DATA_DIR": "/last", "PMD_RPC_ADDR": "0.0.0.0:0", "STRIPE_SECRET_KEY": "sk_test",
                ]))
    }

    @Test func badFlagsAreAllReported() {
        let result = Config.overrides(fromFlags: ["--datadir", "/x", "--rpc-addr", "--log-level"])
        guard case .failure(let errors) = result else {
            Issue.record("expected failure, got \(result)")
            return
        }
        #expect(
            errors.lines == [
                "pmd: config: --datadir: unknown flag (did you mean --data-dir?)",
                "pmd: config: /x: unexpected argument",
                "pmd: config: --rpc-addr: expected a value",
                "pmd: config: --log-level: expected a value",
            ])
    }
}
