import SwiftTorchCore

extension Tensor {
    /// A new contiguous CPU tensor whose bytes `fill` writes straight into storage. Loaders use
    /// it instead of `Tensor(_:shape:)`, which goes through a `[Double]` per element: for
    /// MNIST's 47 million pixels that detour costs more time and memory than the parsing.
    static func filledOnCPU(_ shape: [Int], dtype: DType,
                            _ fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Tensor {
        guard checkedByteCount(shape: shape, itemSize: dtype.itemSize) != nil else {
            throw TorchError(.invalidArgument, "a \(dtype) tensor of shape \(describe(shape: shape)) cannot exist: a size is negative or the sizes multiply past Int.max")
        }
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

/// The bytes a tensor of `shape` with `itemSize`-byte elements holds, or nil when a size is
/// negative or the sizes, zeros aside, multiply past Int.max. A shape read from a file must
/// pass this before a tensor is made of it: its strides multiply the same sizes, so a zero
/// elsewhere in the shape does not make [0, 2^32, 2^32] safe.
func checkedByteCount(shape: [Int], itemSize: Int) -> Int? {
    var product = itemSize, empty = false
    for size in shape {
        guard size >= 0 else { return nil }
        if size == 0 { empty = true; continue }
        let (next, overflow) = product.multipliedReportingOverflow(by: size)
        if overflow { return nil }
        product = next
    }
    return empty ? 0 : product
}
