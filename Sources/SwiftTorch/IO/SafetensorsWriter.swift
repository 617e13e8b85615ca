import Foundation
import SwiftTorchCore

/// Writes named tensors to a safetensors file that PyTorch's `safetensors.torch.load_file`
/// reads. Tensors may be non-contiguous views or live on another device; their elements are
/// written in row-major order.
///
/// <!-- snippet: safetensors-writer -->
/// ```swift
/// var writer = SafetensorsWriter(metadata: ["format": "pt"])
/// try writer.add("weight", w)
/// try writer.write(to: url)
/// ```
public struct SafetensorsWriter {
    /// Free-form strings stored under `__metadata__`.
    public var metadata: [String: String]
    /// The names added so far, in file order.
    public private(set) var names: [String] = []
    private var tensors: [Tensor] = []

    /// An empty file to fill with ``add(_:_:)``.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds `tensor` under `name`; names must be unique and `__metadata__` is reserved.
    public mutating func add(_ name: String, _ tensor: Tensor) throws {
        guard name != "__metadata__" else {
            throw TorchError(.invalidArgument, "SafetensorsWriter: '__metadata__' is reserved for the metadata and cannot name a tensor")
        }
        guard !names.contains(name) else {
            throw TorchError(.invalidArgument, "SafetensorsWriter: a tensor named '\(name)' was already added")
        }
        names.append(name)
        tensors.append(tensor)
    }

    /// Writes the file atomically: the bytes go to a temporary file in the same folder, which
    /// then replaces `url` in one rename. If anything fails, `url` keeps its old contents and
    /// the temporary file is removed. A header that ``SafetensorsReader`` would refuse (over
    /// its 100 MB limit, say) throws `.invalidArgument` before anything is written.
    public func write(to url: URL) throws {
        func refuse(_ problem: String) -> TorchError {
            TorchError(.invalidArgument, "SafetensorsWriter: \(url.path) would not be readable, so it was not written: \(problem)")
        }
        // The header holds every name and metadata string: one too long for the reader is
        // refused before it is encoded.
        let strings = names.reduce(0) { $0 + $1.utf8.count } + metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        try SafetensorsHeader.checkLength(strings, atLeast: true, fail: refuse)
        var entries: [SafetensorsEntry] = []
        var position = 0
        for (name, tensor) in zip(names, tensors) {
            let byteCount = tensor.count * tensor.dtype.itemSize
            entries.append(SafetensorsEntry(name: name, dtype: tensor.dtype, shape: tensor.shape, range: position..<(position + byteCount)))
            position += byteCount
        }
        let header = SafetensorsHeader.encode(entries, metadata: metadata)
        // The reader's own checks, before a byte is written: what it would refuse, this refuses.
        _ = try SafetensorsHeader(json: header[...], dataStart: 8 + header.count, dataLength: position, fail: refuse)
        let length = UInt64(header.count)
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }

        try writeFileAtomically(url, what: "safetensors file") { sink in
            try sink.write(lengthBytes)
            try sink.write(header)
            // One tensor at a time, so at most one contiguous copy is alive while writing.
            for tensor in tensors {
                try tensor.withContiguousHostBytes { try sink.write($0) }
            }
        }
    }
}
