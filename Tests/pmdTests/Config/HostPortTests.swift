import Testing

@testable import pmd

@Suite struct HostPortTests {
    @Test func acceptsHostAndPort() {
        #expect(HostPort.parse("127.0.0.1:7420") == .success(HostPort(host: "127.0.0.1", port: 7420)))
        #expect(HostPort.parse("localhost:65535") == .success(HostPort(host: "localhost", port: 65535)))
    }

    @Test func portZeroMeansPickAFreePort() {
        #expect(HostPort.parse("0.0.0.0:0") == .success(HostPort(host: "0.0.0.0", port: 0)))
    }

    @Test func ipv6HostsGoInBracketsAndAreStoredWithout() throws {
        let address = try HostPort.parse("[::1]:7420").get()
        #expect(address == HostPort(host: "::1", port: 7420))
        #expect(address.description == "[::1]:7420")
    }

    /// Found by fuzzing (fuzz/README.md): a colon followed by a combining mark is one Character
    /// that is not ":", so such a host was printed without brackets and did not parse back.
    @Test func aHostWithAColonIsBracketedWhateverFollowsTheColon() throws {
        let address = try HostPort.parse("[:\u{331}]:7").get()
        #expect(address.description == "[:\u{331}]:7")
        #expect(HostPort.parse(address.description) == .success(address))
    }

    @Test(arguments: ["x", ":80", "", "[::1]", "[]:80", "[::1]x80", "a b:80"])
    func rejectsWhatIsNotHostColonPort(text: String) {
        #expect(HostPort.parse(text) == .failure(ParseFailure(expected: "host:port")))
    }

    @Test func saysWhenThePortIsMissing() {
        #expect(
            HostPort.parse("host:") == .failure(ParseFailure(expected: "host:port", note: "the port is missing")))
    }

    @Test(arguments: ["host:99999", "host:65536", "host:-1", "host:http", "host:+80", "host:123456"])
    func rejectsPortsOutsideTheRange(text: String) {
        #expect(HostPort.parse(text) == .failure(ParseFailure(expected: "host:port with a port from 0 to 65535")))
    }

    @Test func pointsOutUnbracketedIPv6() {
        #expect(
            HostPort.parse("::1:7420")
                == .failure(ParseFailure(expected: "host:port with an IPv6 host in brackets, as in [::1]:7420")))
    }
}
