// swift-tools-version:6.1
// Benchmarks for minipg's write path (WAL, redo, buffer pool, streaming replication): a package of
// its own so that the root `swift build` never builds ordo-one/benchmark, its plugins and tools.
// Run from this folder (the first run takes minutes):
//   swift package --allow-writing-to-package-directory benchmark
// Regression check against the saved baseline: ../scripts/bench-check.
// Results and what limits each figure: ../docs/performance.md.
import PackageDescription
import Foundation

// A path dependency's package identity is its FOLDER name, not the `name:` in its manifest, and
// the checkout folder's name is not known in advance: derive it.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "minipg-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // traits: ["MallocInterposer"] is required: the default traits also enable
        // "RuntimeInterposer", whose package is not in the local mirror.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    ],
    targets: [
        // The crc32q instruction alone, the ceiling the CRC32C benchmark is compared with.
        .target(name: "CRC32CProbe", path: "CRC32CProbe"),
        .executableTarget(
            name: "WALBenchmarks",
            dependencies: [
                "CRC32CProbe",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WAL", package: root),
                .product(name: "Storage", package: root),
                .product(name: "PGWire", package: root),
                .product(name: "Replication", package: root),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "WALBenchmarks", // the plugin finds targets whose parent folder is named "Benchmarks"
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
