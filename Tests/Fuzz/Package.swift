// swift-tools-version:6.2
// libFuzzer targets for SwiftTorch's file readers (safetensors, IDX, gzip, the digits CSV,
// the conformance JSON), built by scripts/fuzz-readers.sh with -sanitize=fuzzer. A package of
// its own, as Tests/Consumer is, so the library's build never carries the fuzzer flags; it
// uses the public API only. The in-test fuzzer (ReaderFuzzTests) is what CI runs.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which differs between checkouts.
let swiftTorchPath = "../.."
let swiftTorchIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .appendingPathComponent(swiftTorchPath).standardized.lastPathComponent

let package = Package(
    name: "ReaderFuzzer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: swiftTorchPath)],
    targets: [
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        .executableTarget(
            name: "ReaderFuzzer",
            dependencies: ["CFuzzerDriver", .product(name: "SwiftTorch", package: swiftTorchIdentity)],
            path: "Sources/ReaderFuzzer",
            // The entry point is ReaderFuzzer_main (what SwiftPM aliases main to), which runs libFuzzer's driver.
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ],
    swiftLanguageModes: [.v6]
)
