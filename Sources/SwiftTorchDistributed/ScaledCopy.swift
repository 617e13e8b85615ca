import SwiftTorch

/// `target = source * factor` in one pass (`target` may be `source` itself), how a gradient
/// enters its bucket: PyTorch's
/// reducer multiplies by 1 / worldSize while it copies ("divides while copying into the
/// bucket view to save one scan"), so the all-reduce's plain sum is already the average
/// and nothing reads the bucket again after MPI. Where the all-reduce runs through shared
/// memory, a pass over the bucket costs a fifth to three quarters of the all-reduce itself
/// (Docs/benchmarks.md), so the pass saved is worth having.
enum ScaledCopy {
    /// Writes `source * factor` into `target` (same shape), bumping `target`'s
    /// version, since this writes its memory behind autograd's back. Contiguous CPU float
    /// tensors of one dtype (every gradient of a plain model) take one loop; anything else
    /// goes through `copy_` and `mul_`.
    static func run(_ source: Tensor, into target: Tensor, factor: Double) throws {
        guard source.isContiguous, target.isContiguous, source.dtype == target.dtype, source.shape == target.shape,
              source.device.isCPU, target.device.isCPU, source.dtype.isFloatingPoint else {
            try withNoGrad {
                _ = try target.copy_(source)
                if factor != 1 { _ = try target.mul_(factor) }
            }
            return
        }
        let count = source.count, itemSize = source.dtype.itemSize
        let from = UnsafeRawPointer(source.storage.data + source.offset * itemSize)
        let to = target.storage.data + target.offset * itemSize
        if factor == 1 {
            if from != UnsafeRawPointer(to) { to.copyMemory(from: from, byteCount: count * itemSize) }
        } else if from == UnsafeRawPointer(to) {
            // In place (a lone gradient, reduced in its own memory): the copying loop would
            // see the pointers overlap and run scalar.
            if source.dtype == .float32 {
                scale(to.assumingMemoryBound(to: Float.self), Float(factor), count)
            } else {
                scale(to.assumingMemoryBound(to: Double.self), factor, count)
            }
        } else if source.dtype == .float32 {
            multiply(from.assumingMemoryBound(to: Float.self), Float(factor), into: to.assumingMemoryBound(to: Float.self), count)
        } else {
            multiply(from.assumingMemoryBound(to: Double.self), factor, into: to.assumingMemoryBound(to: Double.self), count)
        }
        target.storage.bumpVersion()
    }

    private static func scale<T: BinaryFloatingPoint>(_ values: UnsafeMutablePointer<T>, _ factor: T, _ count: Int) {
        for i in 0..<count { values[i] *= factor }
    }

    /// A loop the optimiser vectorises (its runtime overlap check sends equal pointers to a
    /// scalar loop, which is why `run` scales in place with `scale`).
    private static func multiply<T: BinaryFloatingPoint>(_ source: UnsafePointer<T>, _ factor: T, into target: UnsafeMutablePointer<T>, _ count: Int) {
        for i in 0..<count { target[i] = source[i] * factor }
    }
}
