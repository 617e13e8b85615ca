import Foundation
import SwiftTorchCore
import ZIPFoundation

/// Reads a `.pt` file written by `torch.save` (the zip format of PyTorch 1.6 and later) as
/// safely as `torch.load(path, weights_only=True)`: only containers, numbers, strings and
/// tensors are read, and nothing in the file is run. A file that uses anything else (a
/// pickled class, a function) throws a ``TorchError`` naming the global it refused; so does
/// a damaged or hostile file (a truncated zip, a storage shorter than its tensors, sizes
/// that cannot be). Tensors load onto the CPU, whatever device they were saved from, and
/// tensors that shared a storage in PyTorch share one ``Storage`` here.
///
/// <!-- snippet: load-pytorch -->
/// ```swift
/// let checkpoint = try loadPyTorch(url)
/// for (name, tensor) in checkpoint.namedTensors() { print(name, tensor.dtype, tensor.shape) }
/// ```
public func loadPyTorch(_ url: URL) throws -> PyTorchValue {
    try PyTorchArchiveReader(url: url).value()
}

/// Writes `value` as a `.pt` file that `torch.load(path, weights_only=True)` reads, in the
/// zip format `torch.save` writes, atomically: the file goes to a temporary name in the same
/// folder and is renamed over `url`, so a reader never sees half a file. Lists are saved as
/// Python lists and dictionaries as `dict`s; tensors on another device are saved from a CPU
/// copy.
///
/// <!-- snippet: save-pytorch -->
/// ```swift
/// try savePyTorch(.dict(["model": model.stateDict().pytorchValue, "epoch": .int(3)]), to: url)
/// ```
public func savePyTorch(_ value: PyTorchValue, to url: URL) throws {
    let bytes = try encodePyTorch(value, folder: url.deletingPathExtension().lastPathComponent)
    try writeFileAtomically(url, what: "PyTorch file") { try $0.write(bytes) }
}

/// The value a `.pt` file's bytes hold; `file` names it in errors.
func decodePyTorch(_ bytes: [UInt8], file: String) throws -> PyTorchValue {
    try PyTorchArchiveReader(bytes: bytes, file: file).value()
}

/// The bytes of a `.pt` file holding `value`, its records under `folder/` as in PyTorch.
func encodePyTorch(_ value: PyTorchValue, folder: String) throws -> [UInt8] {
    var pickle = PickleWriter()
    try pickle.finish(value)
    // The records torch.save writes, in its order.
    var records: [(String, ZipRecord)] = [
        ("data.pkl", .bytes(pickle.bytes)), (".format_version", .text("1")), (".storage_alignment", .text("64")),
        ("byteorder", .text("little")),
    ]
    records += pickle.storages.enumerated().map { ("data/\($0.offset)", .storage($0.element.storage)) }
    records.append(("version", .text("3\n")))
    return try zipArchive(folder: folder, records: records)
}

/// The contents of one record of a zip archive that SwiftTorch writes.
enum ZipRecord {
    case bytes([UInt8])
    case storage(Storage)

    static func text(_ s: String) -> ZipRecord { .bytes(Array(s.utf8)) }

    var count: Int {
        switch self {
        case .bytes(let b): b.count
        case .storage(let s): s.byteCount
        }
    }

    func chunk(_ range: Range<Int>) -> Data {
        switch self {
        case .bytes(let b): Data(b[range])
        case .storage(let s): Data(bytes: s.data + range.lowerBound, count: range.count)
        }
    }
}

/// A zip archive of uncompressed `records`, each under `folder/` (PyTorch names the folder
/// after the file; a name with other than plain characters becomes `archive`).
func zipArchive(folder: String, records: [(name: String, contents: ZipRecord)]) throws -> [UInt8] {
    let safe = folder.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
    let prefix = (safe && !folder.isEmpty ? folder : "archive") + "/"
    do {
        let archive = try Archive(accessMode: .create)
        for (name, contents) in records {
            try archive.addEntry(with: prefix + name, type: .file, uncompressedSize: Int64(contents.count)) { position, size in
                contents.chunk(Int(position)..<(Int(position) + size))
            }
        }
        guard let data = archive.data else { throw TorchError(.io, "savePyTorch: the zip library returned no archive") }
        return [UInt8](data)
    } catch let error as TorchError {
        throw error
    } catch {
        throw TorchError(.io, "savePyTorch: building the zip archive failed (\(error))")
    }
}
