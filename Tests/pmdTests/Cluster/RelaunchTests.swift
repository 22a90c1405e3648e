import Testing
@testable import pmd

@Suite struct RelaunchTests {
    @Test func listenAddressesArePinnedAndEverythingElseKept() {
        let pin = ["--rpc-addr": "127.0.0.1:4100", "--http-addr": "127.0.0.1:4101"]
        #expect(
            Relaunch.arguments(["pmd", "serve", "--rpc-addr", "127.0.0.1:0", "--data-dir", "d", "--http-addr=127.0.0.1:0"], pin: pin)
                == ["pmd", "serve", "--data-dir", "d", "--http-addr", "127.0.0.1:4101", "--rpc-addr", "127.0.0.1:4100"])
        #expect(Relaunch.arguments(["pmd"], pin: [:]) == ["pmd"])
    }
}
