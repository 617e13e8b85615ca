import Foundation
import SwiftTorch

// Small helpers the examples share: options parsing and saving.

/// `--name value` options with defaults; an unknown option is an error that lists the valid ones.
public struct ExampleOptions {
    private var values: [String: String]

    public init(_ arguments: [String], defaults: [String: String], flags: [String] = ["save", "tensorboard"]) throws {
        values = defaults
        var i = 1
        while i < arguments.count {
            let arg = arguments[i]
            guard arg.hasPrefix("--"), i + 1 < arguments.count else {
                throw ExampleError("unexpected argument '\(arg)'; options: \((Array(defaults.keys) + flags).map { "--\($0) VALUE" }.joined(separator: ", "))")
            }
            let name = String(arg.dropFirst(2))
            guard defaults[name] != nil || flags.contains(name) else {
                throw ExampleError("unknown option '\(arg)'; options: \((Array(defaults.keys) + flags).map { "--\($0)" }.joined(separator: ", "))")
            }
            values[name] = arguments[i + 1]
            i += 2
        }
    }

    public func string(_ name: String) -> String? { values[name] }

    /// Saves `model` as safetensors at `--save PATH`, when given.
    public func saveIfRequested(_ model: Module, description: String) throws {
        guard let path = string("save") else { return }
        try model.save(to: URL(fileURLWithPath: path), metadata: ["model": description])
        print("saved weights to \(path)")
    }

    public func int(_ name: String) throws -> Int {
        guard let text = values[name], let v = Int(text), v > 0 else {
            throw ExampleError("--\(name) needs a positive integer, got '\(values[name] ?? "")'")
        }
        return v
    }
}

public struct ExampleError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Runs an example's body; an error is printed (not a crash with a stack trace) and the
/// process exits with status 1.
public func runExample(_ name: String, _ body: () throws -> Void) {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        exit(1)
    }
}
