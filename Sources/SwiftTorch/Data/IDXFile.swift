import Foundation
import SwiftTorchCore

/// An IDX file of unsigned bytes (the format MNIST ships in): a magic number `00 00 08 r`
/// (unsigned bytes, `r` dimensions), `r` big-endian 32-bit sizes, then the values row-major.
struct IDXFile {
    /// The sizes from the header.
    let shape: [Int]
    /// Where the values start in `bytes`.
    let dataStart: Int
    let bytes: [UInt8]

    /// Reads the file at `url`, plain or gzip-compressed (recognised by content, not name).
    /// Compressed data is inflated only as far as its header declares, so a gzip bomb costs
    /// no more memory than the file it claims to be.
    static func read(_ url: URL, rank: Int, kind: String) throws -> IDXFile {
        try decode(readFileBytes(url, what: "MNIST \(kind) file"), rank: rank, file: url.path, kind: kind)
    }

    /// A file's bytes as ``read(_:rank:kind:)`` takes them, plain or gzip-compressed.
    static func decode(_ bytes: [UInt8], rank: Int, file: String, kind: String) throws -> IDXFile {
        guard Gzip.isCompressed(bytes) else { return try IDXFile(bytes, rank: rank, file: file, kind: kind) }
        let header = try Gzip.decompressedPrefix(bytes, count: headerLength(rank: rank), name: file)
        let declared = try parseHeader(header, rank: rank, file: file, kind: kind)
        return try IDXFile(Gzip.decompress(bytes, name: file, limit: declared.fileLength), rank: rank, file: file, kind: kind)
    }

    /// Parses `bytes`, which must hold exactly `rank` dimensions' worth of unsigned bytes;
    /// `file` and `kind` ("images", "labels") go into the errors.
    init(_ bytes: [UInt8], rank: Int, file: String, kind: String) throws {
        let declared = try Self.parseHeader(bytes, rank: rank, file: file, kind: kind)
        let needed = declared.fileLength - Self.headerLength(rank: rank)
        let present = bytes.count - Self.headerLength(rank: rank)
        guard present >= needed else {
            throw Self.error(file, kind, "truncated: the header declares \(describe(shape: declared.shape)) = \(needed) values but only \(present) bytes follow it")
        }
        guard present == needed else {
            throw Self.error(file, kind, "\(present - needed) bytes follow the \(needed) values the header declares (\(describe(shape: declared.shape))); the file is corrupt")
        }
        shape = declared.shape
        dataStart = Self.headerLength(rank: rank)
        self.bytes = bytes
    }

    /// Bytes of the header of a file of `rank` dimensions: the magic number and the sizes.
    static func headerLength(rank: Int) -> Int { 4 + 4 * rank }

    /// The sizes a header declares and the length of the whole file they imply, from the
    /// first ``headerLength(rank:)`` bytes of `bytes`.
    static func parseHeader(_ bytes: [UInt8], rank: Int, file: String, kind: String) throws -> (shape: [Int], fileLength: Int) {
        guard bytes.count >= 4 else {
            throw error(file, kind, "truncated: \(bytes.count) bytes, too short for the 4-byte IDX magic number")
        }
        let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let expected = UInt32(0x0800 | rank)
        guard magic == expected else {
            throw error(file, kind, "bad magic number 0x\(hex(magic)); expected 0x\(hex(expected)) (IDX unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s")), so this is not an MNIST \(kind) file")
        }
        let headerLength = headerLength(rank: rank)
        guard bytes.count >= headerLength else {
            throw error(file, kind, "truncated: \(bytes.count) bytes, too short for the \(headerLength)-byte header")
        }
        let shape = (0..<rank).map { d in
            bytes[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) }
        }
        // Sizes are 32-bit each, so their product can overflow (zeros aside, since the
        // tensor's strides multiply them too): a corrupt header, not a crash.
        guard let needed = checkedByteCount(shape: shape, itemSize: 1),
              case (let fileLength, false) = needed.addingReportingOverflow(headerLength) else {
            throw error(file, kind, "the header declares sizes \(describe(shape: shape)), too large to exist")
        }
        return (shape, fileLength)
    }

    private static func error(_ file: String, _ kind: String, _ problem: String) -> TorchError {
        TorchError(.io, "MNIST \(kind) file \(file): \(problem)")
    }

    /// The values as a new float32 tensor of `shape`, each divided by `divisor` (a division,
    /// not a multiplication by its inverse, to round as PyTorch's `x.float() / 255` does).
    func floatTensor(dividedBy divisor: Float) throws -> Tensor {
        try Tensor.filledOnCPU(shape, dtype: .float32) { target in
            let out = target.bindMemory(to: Float.self)
            bytes.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[dataStart...])
                for i in 0..<out.count { out[i] = Float(values[i]) / divisor }
            }
        }
    }

    /// The values as a new int64 tensor of `shape`.
    func int64Tensor() throws -> Tensor {
        try Tensor.filledOnCPU(shape, dtype: .int64) { target in
            let out = target.bindMemory(to: Int64.self)
            bytes.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[dataStart...])
                for i in 0..<out.count { out[i] = Int64(values[i]) }
            }
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
