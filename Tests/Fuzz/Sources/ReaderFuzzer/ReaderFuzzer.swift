// libFuzzer's entry point for SwiftTorch's file readers. FUZZ_TARGET picks the reader:
// safetensors, idx, gzip, digits, conformance or pt (PyTorch's .pt). Each input is handed to the reader as a
// file, through the public API a user calls; it must read or throw a TorchError. Anything
// else (another error, or a trap) is a finding, and libFuzzer saves the input.
import CFuzzerDriver
import Foundation
import SwiftTorch

private let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "safetensors"
private let folder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

/// The IDX labels file that goes with a fuzzed images file: MNIST.load reads both.
private let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 3, 7]

private func read(_ bytes: [UInt8]) throws {
    let file = folder.appendingPathComponent("input")
    switch target {
    case "gzip":
        _ = try Gzip.decompress(bytes, limit: 1 << 24)
    case "safetensors":
        try Data(bytes).write(to: file)
        _ = try Safetensors.load(from: file)
    case "idx":
        try Data(bytes).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(labels).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        _ = try MNIST.load(from: folder)
    case "digits":
        try Data(bytes).write(to: file)
        _ = try Digits.load(from: file)
    case "pt":
        try Data(bytes).write(to: file)
        for (_, tensor) in try loadPyTorch(file).namedTensors() { _ = try tensor.contiguous() }
    case "conformance":
        try Data(bytes).write(to: file)
        for c in try ConformanceFile.load(file.path).cases where c.problem == nil {
            for input in c.inputs {
                switch input {
                case .tensor(let t): _ = try? t.makeTensor()
                case .list(let ts): for t in ts { _ = try? t.makeTensor() }
                case .null: break
                }
            }
        }
    default:
        fatalError("FUZZ_TARGET must be safetensors, idx, gzip, digits, conformance or pt, not \(target)")
    }
}

/// The process's entry point: SwiftPM links an executable with main aliased to this name.
@_cdecl("ReaderFuzzer_main")
public func readerFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var (count, arguments) = (argc, argv)
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try read(bytes)
    } catch is TorchError {
    } catch {
        fatalError("\(target): an error that is not a TorchError: \(error)")
    }
    return 0
}
