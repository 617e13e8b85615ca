import SwiftTorchCore

/// Memory a kernel allocates for a contiguous copy of an operand; freed with the last use.
final class ScratchBuffer<T> {
    let pointer: UnsafeMutablePointer<T>
    init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
    deinit { pointer.deallocate() }
}

/// How BLAS can read a row-major `rows x cols` matrix with element strides `(rs, cs)`
/// without a copy: as-is (unit column stride, `ld = rs >= cols`) or as the transpose of a
/// row-major `cols x rows` matrix (unit row stride, `ld = cs >= rows`). `nil`: it cannot
/// (broadcast, overlapping or doubly strided views), and the operand must be copied.
/// A dimension of size 1 has no meaningful stride, so it never stands in the way.
func blasLayout(rows: Int, cols: Int, rs: Int, cs: Int) -> (transposed: Bool, ld: Int)? {
    if (cols == 1 || cs == 1) && (rows == 1 || rs >= max(1, cols)) {
        let ld = rows == 1 ? max(1, cols) : rs
        return ld <= blasIntMax ? (false, ld) : nil
    }
    if (rows == 1 || rs == 1) && (cols == 1 || cs >= max(1, rows)) {
        let ld = cols == 1 ? max(1, rows) : cs
        return ld <= blasIntMax ? (true, ld) : nil
    }
    return nil
}

/// One operand of a batched product as BLAS reads it: matrix `i` of the batch starts at
/// `base + offsets[i]`, and every matrix shares one geometry (`transposed`, `ld`).
struct GEMMOperand<T: GEMMScalar> {
    let base: UnsafePointer<T>
    let offsets: [Int]
    let transposed: Bool
    let ld: Int
    /// Holds the contiguous copy, if one was needed, until the product is done.
    let scratch: ScratchBuffer<T>?

    /// Plans `t`, a `[batch..., rows, cols]` view. Matrices that BLAS can read in place are
    /// passed by pointer (a transposed view as a transpose flag); others are copied into
    /// one contiguous buffer, once per distinct matrix, so a broadcast (stride-0) batch
    /// dimension shares one copy instead of making one per batch entry.
    init(_ t: Tensor) {
        let r = t.rank
        let rows = t.shape[r - 2], cols = t.shape[r - 1]
        let rs = t.strides[r - 2], cs = t.strides[r - 1]
        let offsets = batchOffsets(shape: Array(t.shape.dropLast(2)), strides: Array(t.strides.dropLast(2)), start: t.offset)
        if let layout = blasLayout(rows: rows, cols: cols, rs: rs, cs: cs) {
            self.init(base: UnsafePointer(t.elements(T.self)), offsets: offsets, transposed: layout.transposed,
                      ld: layout.ld, scratch: nil)
            return
        }
        var slots: [Int: Int] = [:]
        let size = rows * cols
        let copied = offsets.map { o in
            if let s = slots[o] { return s * size }
            slots[o] = slots.count
            return (slots.count - 1) * size
        }
        let buffer = ScratchBuffer<T>(count: slots.count * size)
        for (o, s) in slots {
            Tensor(uncheckedViewOf: t, shape: [rows, cols], strides: [rs, cs], offset: o).copyElements(to: buffer.pointer + s * size)
        }
        self.init(base: UnsafePointer(buffer.pointer), offsets: copied, transposed: false, ld: max(1, cols), scratch: buffer)
    }

    private init(base: UnsafePointer<T>, offsets: [Int], transposed: Bool, ld: Int, scratch: ScratchBuffer<T>?) {
        self.base = base
        self.offsets = offsets
        self.transposed = transposed
        self.ld = ld
        self.scratch = scratch
    }
}

/// The storage offset of every matrix in a batch, in row-major order of the batch dims.
func batchOffsets(shape: [Int], strides: [Int], start: Int) -> [Int] {
    var offsets = [start]
    for (size, stride) in zip(shape, strides) {
        offsets = offsets.flatMap { o in (0..<size).map { o + $0 * stride } }
    }
    return offsets
}
