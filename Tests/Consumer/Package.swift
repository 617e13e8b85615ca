// swift-tools-version:6.2
// A package outside SwiftTorch that uses it as a dependency, as a user's project would:
// it checks that `import SwiftTorch` alone exposes the public API and that the manifest
// (unsafe flags included) is accepted from a dependent package.
import Foundation
import PackageDescription

// A path dependency's package identity is its folder's name, which differs between
// checkouts (`main`, `SwiftTorch`, a CI clone's folder), so it is computed here.
let swiftTorchPath = "../.."
let swiftTorchIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .appendingPathComponent(swiftTorchPath).standardized.lastPathComponent

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: swiftTorchPath),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [.product(name: "SwiftTorch", package: swiftTorchIdentity)],
            path: "Sources/Consumer"
        ),
    ],
    swiftLanguageModes: [.v6]
)
