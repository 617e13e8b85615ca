import CSystemZlib
import Foundation
import SwiftTorchCore
import ZIPFoundation

/// The records of a `.pt` file: the zip archive `torch.save` writes since PyTorch 1.6, with
/// every record under one folder (`checkpoint/data.pkl`, `checkpoint/data/0`, ...). It reads
/// `data.pkl` with the safe ``PickleReader`` and each storage from `data/<key>`, once per key.
///
/// A record's size comes from the zip's directory, which a damaged file can misstate, so
/// each size is checked against what the file can hold before memory is set aside for it,
/// and the bytes that arrive are counted.
final class PyTorchArchiveReader {
    let file: String
    private let archive: Archive
    private let archiveSize: Int
    /// The folder every record is under, with its slash (`checkpoint/`).
    private let prefix: String
    private var entries: [String: Entry] = [:]
    private var storages: [String: (storage: Storage, dtype: DType, count: Int)] = [:]

    /// The most `data.pkl` may hold: PyTorch's pickles are a few bytes per value.
    static let maximumPickleSize = 1 << 30

    /// Opens the `.pt` file at `url`. The archive is read from the file, not from memory:
    /// ZIPFoundation's in-memory archives trap on a damaged directory that points past the
    /// end of the data, where a file only reads short. `name` stands for the file in errors
    /// (the path, by default).
    init(url: URL, name: String? = nil) throws {
        let path = url.path
        file = name ?? path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TorchError(.io, "PyTorch file \(file): no such file")
        }
        guard !isFolder.boolValue else { throw TorchError(.io, "PyTorch file \(file): is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TorchError(.io, "PyTorch file \(file): could not be read (permissions?)")
        }
        let head: Data
        do {
            head = try handle.read(upToCount: 4) ?? Data()
            archiveSize = Int(try handle.seekToEnd())
            try handle.close()
        } catch {
            throw TorchError(.io, "PyTorch file \(file): could not be read (\(error.localizedDescription))")
        }
        // The local file header's signature: anything else is not a zip (an old, pre-1.6
        // `torch.save` file is a bare pickle).
        guard head.elementsEqual([0x50, 0x4B, 0x03, 0x04]) else {
            throw TorchError(.io, "PyTorch file \(file): not a zip archive (it does not start with PK\\3\\4); SwiftTorch reads the format torch.save writes since PyTorch 1.6, not the older bare pickle")
        }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw TorchError(.io, "PyTorch file \(file): not a readable zip archive (\(error))")
        }
        for entry in archive where entries[entry.path] == nil { entries[entry.path] = entry }
        // PyTorch names the folder after the file; find it through data.pkl, whatever it is.
        let pickles = entries.keys.filter { $0.hasSuffix("/data.pkl") && $0.dropLast(9).firstIndex(of: "/") == nil }
        guard let pickle = pickles.min() else {
            throw TorchError(.io, "PyTorch file \(file): the zip has no <folder>/data.pkl record (it has \(entries.count) records: \(entries.keys.sorted().prefix(8).joined(separator: ", "))); it is not a torch.save file")
        }
        prefix = String(pickle.dropLast(8))
        if let order = entries[prefix + "byteorder"] {
            let text = String(decoding: try record(order, name: "byteorder", limit: 16), as: UTF8.self)
            guard text == "little" else {
                throw TorchError(.io, "PyTorch file \(file): its storages are stored '\(text)'-endian; SwiftTorch reads little-endian files")
            }
        }
    }

    /// The value `data.pkl` builds, its tensors over this archive's storages.
    func value() throws -> PyTorchValue {
        let pickle = try record(entries[prefix + "data.pkl"]!, name: "data.pkl", limit: Self.maximumPickleSize)
        var reader = PickleReader(bytes: pickle, file: file) { [self] key, dtype, count in
            try storage(key: key, dtype: dtype, count: count)
        }
        return try reader.read()
    }

    /// Storage `key` (record `data/<key>`) of `count` elements of `dtype`; the same key
    /// always gives the same ``Storage``.
    private func storage(key: String, dtype: DType, count: Int) throws -> Storage {
        if let known = storages[key] {
            guard known.dtype == dtype, known.count == count else {
                throw TorchError(.io, "PyTorch file \(file): storage '\(key)' is named as \(known.count) \(known.dtype) elements and as \(count) \(dtype) elements")
            }
            return known.storage
        }
        let name = "data/\(key)"
        guard let entry = entries[prefix + name] else {
            throw TorchError(.io, "PyTorch file \(file): the pickle names storage '\(key)' but the zip has no record \(prefix)\(name)")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, UInt64(byteCount) == entry.uncompressedSize else {
            throw TorchError(.io, "PyTorch file \(file): storage '\(key)' claims \(count) \(dtype) elements (\(overflow ? "past Int.max" : String(byteCount)) bytes) but its record \(name) holds \(entry.uncompressedSize) bytes")
        }
        try checkSize(entry, name: name, limit: Int.max)
        let storage = try Storage.cpu(byteCount: byteCount, zeroed: false)
        var filled = 0
        try extract(entry, name: name) { chunk in
            guard chunk.count <= byteCount - filled else {
                throw TorchError(.io, "PyTorch file \(file): record \(name) holds more than the \(byteCount) bytes its directory entry says")
            }
            chunk.withUnsafeBytes { (storage.data + filled).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            filled += chunk.count
        }
        guard filled == byteCount else {
            throw TorchError(.io, "PyTorch file \(file): record \(name) holds \(filled) bytes, its directory entry says \(byteCount)")
        }
        if dtype == .bool {
            // Kernels rely on bools being exactly 0 or 1, as the safetensors reader ensures too.
            let flags = storage.data.assumingMemoryBound(to: UInt8.self)
            for i in 0..<byteCount where flags[i] > 1 { flags[i] = 1 }
        }
        storages[key] = (storage, dtype, count)
        return storage
    }

    /// The names of the records under the archive's folder, relative to it, sorted.
    var recordNames: [String] {
        entries.keys.filter { $0.hasPrefix(prefix) && $0.count > prefix.count }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// Record `name` (relative to the archive's folder), whole.
    func record(named name: String) throws -> [UInt8] {
        guard let entry = entries[prefix + name] else { throw TorchError(.io, "PyTorch file \(file): no record \(prefix)\(name)") }
        return try record(entry, name: name, limit: Self.maximumPickleSize)
    }

    /// A whole record of at most `limit` bytes.
    private func record(_ entry: Entry, name: String, limit: Int) throws -> [UInt8] {
        try checkSize(entry, name: name, limit: limit)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        try extract(entry, name: name) { chunk in
            guard chunk.count <= Int(entry.uncompressedSize) - bytes.count else {
                throw TorchError(.io, "PyTorch file \(file): record \(name) holds more than the \(entry.uncompressedSize) bytes its directory entry says")
            }
            bytes += chunk
        }
        guard bytes.count == Int(entry.uncompressedSize) else {
            throw TorchError(.io, "PyTorch file \(file): record \(name) holds \(bytes.count) bytes, its directory entry says \(entry.uncompressedSize)")
        }
        return bytes
    }

    /// Refuses a record whose stated size the file cannot hold: stored records are no larger
    /// than the file, and deflate expands at most 1032 times.
    private func checkSize(_ entry: Entry, name: String, limit: Int) throws {
        let stored = entry.compressedSize, size = entry.uncompressedSize
        let most = entry.isCompressed ? UInt64(archiveSize) * 1032 : UInt64(archiveSize)
        guard stored <= UInt64(archiveSize), size <= most, size <= UInt64(limit) else {
            throw TorchError(.io, "PyTorch file \(file): record \(name) claims \(size) bytes (\(stored) stored) in a file of \(archiveSize) bytes")
        }
    }

    private func extract(_ entry: Entry, name: String, _ consume: (Data) throws -> Void) throws {
        guard entry.type == .file else {
            throw TorchError(.io, "PyTorch file \(file): record \(name) is a \(entry.type), not a file")
        }
        // zlib's CRC-32 rather than ZIPFoundation's: its table loop is several times slower,
        // and far slower in a debug build (reading a 64 MB file took 3.9 s with it, 0.7 s with zlib's).
        var checksum = uLong(0)
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { chunk in
                chunk.withUnsafeBytes { checksum = crc32(checksum, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count)) }
                try consume(chunk)
            }
        } catch let error as TorchError {
            throw error
        } catch {
            throw TorchError(.io, "PyTorch file \(file): record \(name) cannot be read (\(error)); the file is truncated or damaged")
        }
        guard UInt32(truncatingIfNeeded: checksum) == entry.checksum else {
            throw TorchError(.io, "PyTorch file \(file): record \(name) is damaged (its CRC-32 is \(checksum), the zip directory says \(entry.checksum))")
        }
    }
}

extension PyTorchArchiveReader {
    /// Reads a `.pt` file's `bytes` (named `file` in errors) through a temporary file, which
    /// is removed at once: the open archive keeps reading it.
    convenience init(bytes: [UInt8], file: String) throws {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-pt-\(UUID().uuidString).pt")
        do { try Data(bytes).write(to: temporary) } catch {
            throw TorchError(.io, "PyTorch file \(file): cannot write a temporary copy to read (\(error.localizedDescription))")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        try self.init(url: temporary, name: file)
    }

    /// Every record under the archive's folder, by name relative to it, in name order: for
    /// tools that rewrite a file (the fuzzer damages `data.pkl` and zips the rest again).
    func records() throws -> [(name: String, bytes: [UInt8])] {
        try recordNames.map { ($0, try record(named: $0)) }
    }
}
