// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for pmd's parsers of untrusted and operator input (fuzz/README.md).
//
// A package of its own, built by fuzz/run with `-sanitize=fuzzer,address` into .build-fuzz, so
// that neither the flags nor the targets touch pmd's normal build. `Protocol` and `Actors` here
// are the parsing parts of pmd's modules of the same names, and each target's `*.swift` links
// besides its harness are pmd's own files: symbolic links to the sources under ../Sources, so
// the code fuzzed is pmd's code, instrumented, without building SwiftNIO, Hummingbird and the
// rest of pmd's dependencies with the sanitizers (which would take minutes). The config and plans
// parsers live in the `pmd` executable, which nothing can depend on; their files are compiled
// into their harnesses the same way.
let package = Package(
    name: "pmd-fuzz",
    targets: [
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(name: "Protocol", path: "Sources/Protocol"),
        .target(name: "Actors", dependencies: ["COpenSSL"], path: "Sources/Actors"),
        .executableTarget(name: "fuzz-json", dependencies: ["Protocol"], path: "Targets/json"),
        .executableTarget(name: "fuzz-rpc", dependencies: ["Protocol"], path: "Targets/rpc"),
        .executableTarget(name: "fuzz-stripe-signature", dependencies: ["Actors"], path: "Targets/stripe-signature"),
        .executableTarget(name: "fuzz-stripe-event", dependencies: ["Actors"], path: "Targets/stripe-event"),
        .executableTarget(name: "fuzz-plans", dependencies: ["Actors", "Protocol"], path: "Targets/plans"),
        .executableTarget(name: "fuzz-config", path: "Targets/config"),
    ]
)
