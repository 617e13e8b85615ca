// The seed tutorials' programs, each as PyTorch writes it and translated line for line
// (Docs/pytorch-to-swifttorch.md shows both sides; the tests run each on every CPU backend).
//
//   swift run seeds [square-backward | linear-regression | neural-network | simple-mlp [MNIST_FOLDER] | adam | device]
//
// With no name, all of them run in turn. simple-mlp reads MNIST's four IDX files from
// MNIST_FOLDER when given; otherwise it writes MNIST-format files made from the bundled
// digits and trains on those. SWIFTTORCH_BACKEND picks the backend as everywhere.
import Foundation
import SeedPrograms
import SwiftTorch

let programs: [(name: String, run: ([String]) async throws -> Void)] = [
    ("square-backward", { _ in _ = try squareBackward() }),
    ("linear-regression", { _ in
        let model = try linearRegression()
        print("learned weight \(try model.weight.toArray(of: Float.self)), bias \(try model.bias!.item()) (truth [2, -3, 0.5], 1)")
    }),
    ("neural-network", { _ in print("predicted classes \(try neuralNetwork().predicted.toArray(of: Int.self))") }),
    ("simple-mlp", { arguments in
        var folder: URL
        if let given = arguments.first {
            folder = URL(fileURLWithPath: given)
        } else {
            folder = try MNISTFormatDigits.writeSmallSet()
            print("MNIST-format files from the bundled digits: \(MNISTFormatDigits.trainCount) train, \(MNISTFormatDigits.testCount) test")
        }
        defer { if arguments.isEmpty { try? FileManager.default.removeItem(at: folder) } }
        print("test accuracy \(try await simpleMLP(folder: folder))")
    }),
    ("adam", { _ in print("final loss \(try adam())") }),
    ("device", { _ in print("output shape \(try deviceLine().shape)") }),
]

let arguments = Array(CommandLine.arguments.dropFirst())
let chosen = arguments.first.map { name in programs.filter { $0.name == name } } ?? programs
if chosen.isEmpty {
    print("seeds: no program named \(arguments[0]); choose one of \(programs.map(\.name).joined(separator: ", "))")
    exit(2)
}
do {
    for program in chosen {
        print("== \(program.name)")
        try await program.run(Array(arguments.dropFirst()))
    }
} catch {
    print("seeds: \(error)")
    exit(1)
}
