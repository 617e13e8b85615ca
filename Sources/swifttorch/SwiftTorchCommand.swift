import ArgumentParser
import SwiftTorch

@main
struct SwiftTorchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swifttorch",
        abstract: "SwiftTorch: backends, operator coverage, conformance, benchmarks, and .pt and .safetensors files.",
        version: SwiftTorchVersion.string,
        subcommands: [InfoCommand.self, OpsCommand.self, ConformanceCommand.self, BenchCommand.self, FuzzCommand.self,
                      InspectCommand.self, ConvertCommand.self])
}
