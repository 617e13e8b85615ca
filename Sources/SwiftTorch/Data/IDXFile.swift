import SwiftTorchCore

/// An IDX file of unsigned bytes (the format MNIST ships in): a magic number `00 00 08 r`
/// (unsigned bytes, `r` dimensions), `r` big-endian 32-bit sizes, then the values row-major.
struct IDXFile {
    /// The sizes from the header.
    let shape: [Int]
    /// Where the values start in `bytes`.
    let dataStart: Int
    let bytes: [UInt8]

    /// Parses `bytes`, which must hold exactly `rank` dimensions' worth of unsigned bytes;
    /// `file` and `kind` ("images", "labels") go into the errors.
    init(_ bytes: [UInt8], rank: Int, file: String, kind: String) throws {
        func fail(_ problem: String) -> TorchError { TorchError(.io, "MNIST \(kind) file \(file): \(problem)") }
        guard bytes.count >= 4 else {
            throw fail("truncated: \(bytes.count) bytes, too short for the 4-byte IDX magic number")
        }
        let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let expected = UInt32(0x0800 | rank)
        guard magic == expected else {
            throw fail("bad magic number 0x\(hex(magic)); expected 0x\(hex(expected)) (IDX unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s")), so this is not an MNIST \(kind) file")
        }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw fail("truncated: \(bytes.count) bytes, too short for the \(headerLength)-byte header")
        }
        shape = (0..<rank).map { d in
            bytes[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) }
        }
        // Sizes are 32-bit each, so their product can overflow: a corrupt header, not a crash.
        var needed = 1
        for size in shape {
            let (product, overflow) = needed.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("the header declares sizes \(describe(shape: shape)), too large to exist") }
            needed = product
        }
        let present = bytes.count - headerLength
        guard present >= needed else {
            throw fail("truncated: the header declares \(describe(shape: shape)) = \(needed) values but only \(present) bytes follow it")
        }
        guard present == needed else {
            throw fail("\(present - needed) bytes follow the \(needed) values the header declares (\(describe(shape: shape))); the file is corrupt")
        }
        dataStart = headerLength
        self.bytes = bytes
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
