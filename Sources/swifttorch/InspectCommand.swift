import ArgumentParser
import Foundation
import SwiftTorch

/// `swifttorch inspect FILE`: the tensors of a `.pt` or `.safetensors` file.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the tensors of a .pt (torch.save) or .safetensors file: name, dtype, shape.",
        discussion: "Nested .pt keys are joined by dots, as in state_dict() (model.0.weight, optimizer.state.0.momentum_buffer). A .pt file is read as torch.load(weights_only=True) reads it.")

    @Argument(help: "A .pt or .safetensors file.")
    var file: String

    func run() throws {
        let url = URL(fileURLWithPath: file)
        let rows = try tensorInfo(of: url)
        let width = rows.map(\.name.count).max() ?? 0
        for row in rows {
            print("\(row.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(row.dtype.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(describe(shape: row.shape))")
        }
        print("\(rows.count) tensor\(rows.count == 1 ? "" : "s")")
    }
}

/// Each tensor's name, dtype and shape: a safetensors file's in file order, a `.pt` file's in
/// the order of its nesting. Any other file is read as `.pt` when it is a zip archive.
func tensorInfo(of url: URL) throws -> [(name: String, dtype: DType, shape: [Int])] {
    if url.pathExtension == "safetensors" {
        let reader = try SafetensorsReader(contentsOf: url)
        return reader.names.compactMap { name in reader.info(name).map { (name, $0.dtype, $0.shape) } }
    }
    return try loadPyTorch(url).namedTensors().map { ($0.name, $0.tensor.dtype, $0.tensor.shape) }
}

/// `swifttorch convert IN.pt OUT.safetensors`: every tensor of a `.pt` file, by dotted key.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a .pt file (torch.save) to .safetensors, nested keys joined by dots as in state_dict().",
        discussion: "Tensors that shared a storage are written as separate tensors; numbers and strings in the .pt file are left out (inspect lists what is kept).")

    @Argument(help: "The .pt file to read.")
    var input: String

    @Argument(help: "The .safetensors file to write (replaced atomically).")
    var output: String

    func run() throws {
        let tensors = try loadPyTorch(URL(fileURLWithPath: input)).namedTensors()
        var seen = Set<String>()
        for (name, _) in tensors where !seen.insert(name).inserted {
            throw ValidationError("two tensors of \(input) are both named '\(name)' once their keys are joined by dots")
        }
        try Safetensors.save(tensors.map { ($0.name, $0.tensor) }, to: URL(fileURLWithPath: output), metadata: ["format": "pt"])
        print("wrote \(tensors.count) tensors to \(output)")
    }
}
