// swift-tools-version:6.1
// minipg: a small PostgreSQL-compatible database written from scratch (see README.md and ../shared/DESIGN.md).
// tools-version 6.x => Swift 6 language mode (strict concurrency) for every target.
import PackageDescription

let package = Package(
    name: "minipg",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "minipg", targets: ["minipg"]),
        // Library products so that Benchmarks/ (its own package, `.package(path: "..")`) can import them.
        .library(name: "WAL", targets: ["WAL"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "SQLMini", targets: ["SQLMini"]),
        .library(name: "PGWire", targets: ["PGWire"]),
        .library(name: "Replication", targets: ["Replication"]),
        .library(name: "HA", targets: ["HA"]),
        .library(name: "Proxy", targets: ["Proxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"), // Patroni-shaped YAML configs
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"), // etcd v3 JSON API, REST checks
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"), // tests only: a real client library
    ],
    targets: [
        // C: libzstd from Debian's libzstd-dev (full-page image compression).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // C: CRC-32C with the SSE4.2 crc32 instruction, chosen at run time.
        .target(name: "CCRC32C"),
        // C: constants Swift's Glibc module hides (O_DIRECT needs _GNU_SOURCE).
        .target(name: "CSystemShims"),

        .target(name: "WAL", dependencies: [
            "CZstd", "CCRC32C", "CSystemShims",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Storage", dependencies: [
            "WAL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SQLMini", dependencies: [
            "Storage", "WAL",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PGWire", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"), // PBKDF2 for SCRAM-SHA-256
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Streaming replication: WAL sender, WAL receiver, base backup, synchronous replication.
        .target(name: "Replication", dependencies: [
            "WAL", "Storage", "PGWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Server", dependencies: [
            "WAL", "Storage", "SQLMini", "PGWire", "Replication",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // High availability: Patroni's semantics on etcd v3 (DCS, HA loop, REST API, `minipg ctl`).
        .target(name: "HA", dependencies: [
            "WAL", "PGWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The TCP proxy in front of the cluster (HAProxy's role): health checks against the REST API.
        .target(name: "Proxy", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "minipg", dependencies: [
            "Server", "WAL", "Storage", "SQLMini", "PGWire", "Replication", "HA", "Proxy",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "WALTests", dependencies: ["WAL"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "WAL"]),
        .testTarget(name: "SQLMiniTests", dependencies: ["SQLMini", "Storage", "WAL"]),
        .testTarget(name: "PGWireTests", dependencies: [
            "PGWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "WAL", "Storage", "PGWire"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "SQLMini", "PGWire"]),
        .testTarget(name: "HATests", dependencies: ["HA", "PGWire"]),
        .testTarget(name: "ProxyTests", dependencies: ["Proxy", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
        // End to end: the real `minipg` binary driven by real psql, pgbench and postgres-nio.
        .testTarget(name: "IntegrationTests", dependencies: [
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Golden", "Python"]),
    ]
)
