// swift-tools-version:6.2
// A separate package, so the root package (and its CI) never fetches or builds the
// benchmark tool. Run from this folder: `swift package benchmark` (see Docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "SwiftTorchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "SwiftTorch", path: ".."),
        // MallocInterposer (the malloc counters) is the only trait wanted: it needs no
        // jemalloc in 1.38. Naming the traits turns off the default RuntimeInterposer
        // (ARC counters through swift-runtime-interposer on Linux with Swift 6.3).
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The benchmark plugin looks for each suite's sources in Benchmarks/<target name>.
        .executableTarget(
            name: "SwiftTorchBenchmarks",
            dependencies: [
                .product(name: "SwiftTorch", package: "SwiftTorch"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SwiftTorchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
