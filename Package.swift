// swift-tools-version:6.2
// 6.2 or later: a package that depends on ours by version accepts the OpenMP target's
// `-fopenmp` (an unsafe flag) only from this tools-version on.
import PackageDescription

let package = Package(
    name: "SwiftTorch",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwiftTorch", targets: ["SwiftTorch"]),
        // Data-parallel training on Open MPI: a product of its own, so `import SwiftTorch` never needs MPI.
        .library(name: "SwiftTorchDistributed", targets: ["SwiftTorchDistributed"]),
        .library(name: "SwiftTorchText", targets: ["SwiftTorchText"]),
        .executable(name: "swifttorch", targets: ["swifttorch"]),
        .executable(name: "digits-mlp", targets: ["DigitsMLP"]),
        .executable(name: "digits-cnn", targets: ["DigitsCNN"]),
        .executable(name: "regression", targets: ["Regression"]),
        .executable(name: "mnist-mlp", targets: ["MNISTClassifier"]),
        .executable(name: "training-bench", targets: ["TrainingBench"]),
        .executable(name: "seeds", targets: ["Seeds"]),
        .executable(name: "digits-lstm", targets: ["DigitsLSTM"]),
        .executable(name: "char-transformer", targets: ["CharTransformer"]),
        .executable(name: "digits-distributed", targets: ["DigitsDistributed"]),
        .executable(name: "distributed-checks", targets: ["DistributedChecks"]),
        .executable(name: "distributed-bench", targets: ["DistributedBench"]),
        .executable(name: "semantic-search", targets: ["SemanticSearch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (scripts/docs.sh): a command plugin only, which
        // no target depends on, so it adds nothing to `swift build`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
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
        // Distributed training: Open MPI (a system library), the few MPI calls wrapped in C
        // (Open MPI's handles are macros Swift cannot import), and the Swift API over them.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        // -O2 in debug builds too: the average's division loop runs on every gradient bucket.
        .target(name: "CMPIBridge", dependencies: ["CMPI"], path: "Sources/CMPIBridge", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "SwiftTorchDistributed", dependencies: ["SwiftTorch", "CMPIBridge"], path: "Sources/SwiftTorchDistributed"),

        // Pretrained text models built from the library's public layers (a WordPiece tokenizer,
        // BERT, sentence embeddings), as torchtext sits beside torch: what only NLP users need
        // stays out of the library everyone links.
        .target(name: "SwiftTorchText", dependencies: ["SwiftTorch"], path: "Sources/SwiftTorchText"),
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
        .executableTarget(name: "DigitsLSTM", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/DigitsLSTM"),
        .executableTarget(name: "CharTransformer", dependencies: ["SwiftTorch", "ExampleSupport"], path: "Examples/CharTransformer"),
        .executableTarget(name: "DigitsDistributed", dependencies: ["SwiftTorchDistributed", "ExampleSupport"], path: "Examples/DigitsDistributed"),
        .executableTarget(
            name: "SemanticSearch",
            dependencies: ["SwiftTorchText", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/SemanticSearch"
        ),
        .target(name: "ExampleSupport", dependencies: ["SwiftTorch"], path: "Examples/Support"),
        // The seed tutorials' programs: a library the tests call on every backend, and `seeds`.
        .target(name: "SeedPrograms", dependencies: ["SwiftTorch"], path: "Examples/Seeds/Programs"),
        .executableTarget(name: "Seeds", dependencies: ["SeedPrograms", "SwiftTorch"], path: "Examples/Seeds/Main"),

        .testTarget(
            name: "SwiftTorchTests",
            dependencies: ["SwiftTorch", "SwiftTorchText", "SeedPrograms"],
            path: "Tests/SwiftTorchTests",
            resources: [.copy("Resources")]
        ),
        // The distributed suites that need no mpirun (a world of one, the sampler), and the
        // checks run under `mpirun -np 2` and `-np 3` by Tests/Distributed/run.sh.
        .testTarget(name: "SwiftTorchDistributedTests", dependencies: ["SwiftTorchDistributed"], path: "Tests/SwiftTorchDistributedTests"),
        .executableTarget(name: "DistributedChecks", dependencies: ["SwiftTorchDistributed"], path: "Tests/Distributed/Checks"),
        // All-reduce bandwidth against the plain MPI program beside it (Docs/benchmarks.md).
        .executableTarget(name: "DistributedBench", dependencies: ["SwiftTorchDistributed"], path: "Benchmarks/MPI/DistributedBench"),
    ],
    swiftLanguageModes: [.v6]
)
