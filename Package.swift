// swift-tools-version:6.2
// 6.2 or later: a package that depends on ours by version accepts the OpenMP target's
// `-fopenmp` (an unsafe flag) only from this tools-version on.
import PackageDescription

let package = Package(
    name: "SwiftTorch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftTorch", targets: ["SwiftTorch"]),
        .executable(name: "swifttorch", targets: ["swifttorch"]),
        .executable(name: "digits-mlp", targets: ["DigitsMLP"]),
        .executable(name: "digits-cnn", targets: ["DigitsCNN"]),
        .executable(name: "regression", targets: ["Regression"]),
        .executable(name: "mnist-mlp", targets: ["MNISTClassifier"]),
        .executable(name: "training-bench", targets: ["TrainingBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Reading and writing PyTorch's `.pt` files (zip archives).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // TensorBoard's event messages; only the runtime: the Swift code is generated once and committed.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // The machinery: tensors, storage, schemas, the kernel registry and the dispatcher.
        .target(name: "SwiftTorchCore", path: "Sources/SwiftTorchCore"),
        // The C header shared with run-time plugins: the only types that cross a plugin boundary.
        .target(name: "CSwiftTorchABI", path: "Sources/CSwiftTorchABI"),

        // Backends. Each registers kernels through SwiftTorchCore's registration API.
        .target(name: "ReferenceBackend", dependencies: ["SwiftTorchCore"], path: "Backends/Reference"),
        .target(
            name: "COpenMPKernels",
            path: "Backends/OpenMP/CKernels",
            cSettings: [.unsafeFlags(["-fopenmp", "-O3", "-ffp-contract=off"])],
            // ld's -l: form, because Debian ships libomp.so.5 but no plain libomp.so.
            linkerSettings: [.linkedLibrary(":libomp.so.5")]
        ),
        .target(name: "OpenMPBackend", dependencies: ["SwiftTorchCore", "COpenMPKernels"], path: "Backends/OpenMP/Swift"),
        .systemLibrary(name: "CBLAS", path: "Backends/BLAS/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // blas reuses the openmp backend's convolution lowering with its own matrix product.
        .target(name: "BLASBackend", dependencies: ["SwiftTorchCore", "CBLAS", "COpenMPKernels", "OpenMPBackend"], path: "Backends/BLAS/Swift"),
        .systemLibrary(name: "CSystemZlib", path: "Sources/CSystemZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // The library users import: operator declarations, the Swift API, autograd, nn, optim, data.
        .target(
            name: "SwiftTorch",
            dependencies: ["SwiftTorchCore", "CSwiftTorchABI", "ReferenceBackend", "OpenMPBackend", "BLASBackend", "CSystemZlib",
                           "ZIPFoundation", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/SwiftTorch",
            resources: [.copy("Resources")],
            linkerSettings: [.linkedLibrary("z")]
        ),
        .executableTarget(
            name: "swifttorch",
            dependencies: ["SwiftTorch", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/swifttorch"
        ),

        // The seed's programs, as runnable examples.
        .executableTarget(name: "DigitsMLP", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/DigitsMLP"),
        .executableTarget(name: "DigitsCNN", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/DigitsCNN"),
        .executableTarget(name: "Regression", dependencies: ["SwiftTorch"], path: "Examples/Regression"),
        .executableTarget(name: "MNISTClassifier", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/MNISTClassifier"),
        .executableTarget(name: "TrainingBench", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/TrainingBench"),
        .target(name: "ExampleSupport", dependencies: ["SwiftTorch"], path: "Examples/Support"),

        .testTarget(
            name: "SwiftTorchTests",
            dependencies: ["SwiftTorch"],
            path: "Tests/SwiftTorchTests",
            resources: [.copy("Resources")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
