import Foundation
import SwiftTorchCore

/// Reads a safetensors file (the format of Hugging Face and `safetensors.torch.save_file`).
/// The whole header is validated when the reader is made: a truncated or corrupt file throws
/// `TorchError(.io)` naming the file and the problem.
///
/// <!-- snippet: safetensors-reader -->
/// ```swift
/// let file = try SafetensorsReader(contentsOf: url)
/// let weight = try file.tensor(named: "weight")
/// ```
public struct SafetensorsReader {
    /// The file read.
    public let url: URL
    /// The `__metadata__` strings (empty when the file has none).
    public let metadata: [String: String]
    /// The tensor names, in the order of their bytes in the file.
    public let names: [String]

    private let bytes: [UInt8]
    private let dataStart: Int
    private let entries: [String: SafetensorsEntry]

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(bytes: readFileBytes(url, what: "safetensors file"), url: url)
    }

    /// Validates `bytes`, a file's contents; `url` names it in errors.
    init(bytes: [UInt8], url: URL) throws {
        self.url = url
        self.bytes = bytes
        let header = try SafetensorsHeader(parsing: bytes, file: url.path)
        metadata = header.metadata
        names = header.entries.map(\.name)
        dataStart = header.dataStart
        entries = Dictionary(header.entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The dtype and shape of tensor `name`, without reading its data.
    public func info(_ name: String) -> (dtype: DType, shape: [Int])? {
        entries[name].map { ($0.dtype, $0.shape) }
    }

    /// Tensor `name` as a new CPU tensor.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw TorchError(.io, "safetensors file \(url.path): no tensor named '\(name)' (it holds \(names.joined(separator: ", ")))")
        }
        return try bytes.withUnsafeBytes { file in
            let source = UnsafeRawBufferPointer(rebasing: file[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)])
            return try Tensor.filledOnCPU(entry.shape, dtype: entry.dtype) { target in
                // The file is little-endian, as is every platform Swift runs on today.
                target.copyMemory(from: source)
                if entry.dtype == .bool {
                    // Kernels rely on bools being exactly 0 or 1; other writers may store any non-zero byte.
                    for i in target.indices where target[i] > 1 { target[i] = 1 }
                }
            }
        }
    }

    /// Every tensor in the file, by name.
    public func tensors() throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for name in names { out[name] = try tensor(named: name) }
        return out
    }
}

/// Saving and loading named tensors in the safetensors format.
public enum Safetensors {
    /// Every tensor in the safetensors file at `url`, as CPU tensors by name.
    public static func load(from url: URL) throws -> [String: Tensor] {
        try SafetensorsReader(contentsOf: url).tensors()
    }

    /// Saves `tensors` with optional string `metadata`, atomically: if saving fails, a file
    /// already at `url` is left as it was. As in the reference implementation, wider dtypes
    /// come first and then names in order, so every tensor's bytes are aligned to its dtype.
    public static func save(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        let ordered = tensors.sorted {
            ($0.value.dtype.itemSize, $1.key) > ($1.value.dtype.itemSize, $0.key)
        }
        try save(ordered.map { ($0.key, $0.value) }, to: url, metadata: metadata)
    }

    /// Saves named tensors in the order given, with optional string `metadata`, atomically.
    public static func save(_ tensors: [(String, Tensor)], to url: URL, metadata: [String: String] = [:]) throws {
        var writer = SafetensorsWriter(metadata: metadata)
        for (name, tensor) in tensors { try writer.add(name, tensor) }
        try writer.write(to: url)
    }
}
