import SwiftTorchCore

extension Tensor {
    /// A new contiguous CPU tensor whose bytes `fill` writes straight into storage. Loaders use
    /// it instead of `Tensor(_:shape:)`, which goes through a `[Double]` per element: for
    /// MNIST's 47 million pixels that detour costs more time and memory than the parsing.
    static func filledOnCPU(_ shape: [Int], dtype: DType,
                            _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Tensor {
        let t = try Tensor(zerosOnCPU: shape, dtype: dtype)
        try fill(UnsafeMutableRawBufferPointer(start: t.storage.data, count: t.count * dtype.itemSize))
        return t
    }

    /// Calls `body` with the bytes of this tensor's elements in row-major order (a contiguous
    /// CPU copy is made first when needed).
    func withContiguousHostBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let host = try cpu().contiguous()
        let start = host.storage.data + host.offset * host.dtype.itemSize
        return try body(UnsafeRawBufferPointer(start: start, count: host.count * host.dtype.itemSize))
    }
}
