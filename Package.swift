// swift-tools-version:6.2
// 6.2 or later: a package that depends on ours by version accepts the OpenMP target's
// `-fopenmp` only from this tools-version on (see Docs/architecture.md).
import PackageDescription

let package = Package(
    name: "SwiftTorch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftTorch", targets: ["SwiftTorch"]),
        .executable(name: "swifttorch", targets: ["swifttorch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The machinery: tensors, storage, schemas, the kernel registry and the dispatcher.
        .target(name: "SwiftTorchCore", path: "Sources/SwiftTorchCore"),
        // Backends register kernels through SwiftTorchCore's registration API.
        .target(name: "ReferenceBackend", dependencies: ["SwiftTorchCore"], path: "Backends/Reference"),
        // The library users import: operator declarations, the Swift API, autograd, nn, optim, data.
        .target(
            name: "SwiftTorch",
            dependencies: ["SwiftTorchCore", "ReferenceBackend"],
            path: "Sources/SwiftTorch"
        ),
        .executableTarget(
            name: "swifttorch",
            dependencies: ["SwiftTorch", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/swifttorch"
        ),
        .testTarget(
            name: "SwiftTorchTests",
            dependencies: ["SwiftTorch"],
            path: "Tests/SwiftTorchTests",
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
