// swift-tools-version:6.0
import PackageDescription

// Imports point one way: pmd → {Protocol, Actors} → Persistence → C libraries.
let package = Package(
    name: "pmd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pmd", targets: ["pmd"]),
        .executable(name: "pmd-bench", targets: ["pmd-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(name: "CLMDB", path: "Sources/CLMDB", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(
            name: "Persistence",
            dependencies: [
                "CLMDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Actors",
            dependencies: [
                "Persistence",
                "COpenSSL",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Protocol",
            dependencies: [
                "Persistence",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "pmd",
            dependencies: [
                "Persistence", "Actors", "Protocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            // jemalloc (Debian's libjemalloc-dev) replaces glibc's malloc for the whole process.
            // With glibc, buffers made on the event loop and freed on the log's threads fought
            // over malloc's arena locks; jemalloc took an eighth off pmd's CPU per pipelined
            // users.update and 30% off its p99 (docs/performance.md).
            linkerSettings: [.linkedLibrary("jemalloc")]
        ),
        // The load generator (SPEC §9): drives a running pmd over TCP; shares only the JSON codec.
        .target(name: "CEpoll", path: "bench/Sources/CEpoll"),
        .executableTarget(
            name: "pmd-bench",
            dependencies: [
                "Protocol", "CEpoll",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "bench/Sources/pmd-bench"
        ),
        .testTarget(name: "PersistenceTests", dependencies: ["Persistence"]),
        .testTarget(name: "ActorsTests", dependencies: ["Actors", "Persistence"]),
        .testTarget(
            name: "ProtocolTests",
            dependencies: ["Protocol", "Persistence", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "pmdTests",
            dependencies: [
                "pmd",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
    ]
)
