import COpenMPKernels
import SwiftTorchCore

// Copy, creation, cat and indexing kernels of the OpenMP backend (C side: copy_*.c).

enum ElementwiseCopyOMP {
    static let kernels: [(String, Kernel)] = [
        ("_to_copy", toCopy), ("full", full), ("arange", arange), ("linspace", linspace), ("eye", eye),
        ("cat", cat), ("index_select", indexSelect), ("gather", gather),
    ]

    private typealias E = ElementwiseOMP

    /// Copies `self` into the output, converting to the output's dtype (any dtype pair).
    private static let toCopy: Kernel = { call in
        let x = call.arguments.tensor("self"), out = call.output
        try E.require("_to_copy", [x], shape: out.shape, dtype: nil)
        let status = StridedLoop.run(out.shape, [StridedOperand(out), StridedOperand(x)]) { g, p in
            st_ew_copy(StridedLoop.code(x.dtype), StridedLoop.code(out.dtype), g, p[0], p[1])
        }
        try E.check("_to_copy", status, [x.dtype, out.dtype])
    }

    /// The bits of one element of `dtype` holding `value`, converted as the reference's
    /// full does: a float through Double (so float -> int by DType.integerValue), an int or
    /// bool through Int64 (one rounding into a float dtype, truncation into int32).
    static func bits(_ value: ArgumentValue, _ dtype: DType) -> UInt64 {
        if case .double(let v) = value {
            switch dtype {
            case .float32: return UInt64(Float(v).bitPattern)
            case .float64: return v.bitPattern
            case .int64: return UInt64(bitPattern: DType.integerValue(v))
            case .int32: return UInt64(UInt32(bitPattern: Int32(clamping: DType.integerValue(v))))
            case .bool: return v != 0 ? 1 : 0
            }
        }
        let i = E.integerScalar(value) ?? 0
        switch dtype {
        case .float32: return UInt64(Float(i).bitPattern)
        case .float64: return Double(i).bitPattern
        case .int64: return UInt64(bitPattern: i)
        case .int32: return UInt64(UInt32(truncatingIfNeeded: i))
        case .bool: return i != 0 ? 1 : 0
        }
    }

    private static func output(_ call: KernelCall) -> (Tensor, UnsafeMutableRawPointer) {
        let out = call.output
        return (out, out.storage.data + out.offset * out.dtype.itemSize)
    }

    private static let full: Kernel = { call in
        let (out, p) = output(call)
        let pattern = bits(call.arguments["fill_value"], out.dtype)
        try E.check("full", st_fill_pattern(Int32(out.dtype.itemSize), Int64(out.count), p, pattern), [out.dtype])
    }

    /// Element i is start + i * step; an integer output converts start and step to integers
    /// first, as the reference does (meta computed the length from the exact values).
    private static let arange: Kernel = { call in
        let (out, p) = output(call)
        let start = call.arguments["start"], step = call.arguments["step"]
        let status = st_arange(StridedLoop.code(out.dtype), Int64(out.count), p,
                               E.scalar(start) ?? 0, E.scalar(step) ?? 1,
                               E.integerScalar(start) ?? 0, E.integerScalar(step) ?? 1)
        try E.check("arange", status, [out.dtype])
    }

    private static let linspace: Kernel = { call in
        let (out, p) = output(call)
        var start = call.arguments.double("start"), end = call.arguments.double("end")
        if !out.dtype.isFloatingPoint {
            start = Double(E.integerScalar(call.arguments["start"]) ?? 0)
            end = Double(E.integerScalar(call.arguments["end"]) ?? 0)
        }
        try E.check("linspace", st_linspace(StridedLoop.code(out.dtype), Int64(out.count), p, start, end), [out.dtype])
    }

    private static let eye: Kernel = { call in
        let (out, p) = output(call)
        guard out.rank == 2 else {
            throw TorchError(.shapeMismatch, "eye: internal: expected a 2-D output, got \(describe(shape: out.shape))")
        }
        let status = st_eye(Int32(out.dtype.itemSize), Int64(out.shape[0]), Int64(out.shape[1]), p, bits(.int(1), out.dtype))
        try E.check("eye", status, [out.dtype])
    }

    /// Each input is copied (strided, converted if needed) into its slice of the output.
    private static let cat: Kernel = { call in
        let tensors = call.arguments.tensorList("tensors").filter { $0.count > 0 }
        let out = call.output
        if out.count == 0 { return }
        let d = call.arguments.int("dim")
        guard d >= 0, d < out.rank else {
            throw TorchError(.dimOutOfRange, "cat: internal: dim \(d) for an output of shape \(describe(shape: out.shape))")
        }
        var sliceShapes: [[Int]] = []
        var position = 0
        for t in tensors {
            guard t.rank == out.rank, (0..<t.rank).allSatisfy({ $0 == d || t.shape[$0] == out.shape[$0] }), t.device.isCPU else {
                throw TorchError(.shapeMismatch, "cat: internal: input \(describe(shape: t.shape)) does not fit output \(describe(shape: out.shape)) along dim \(d)")
            }
            sliceShapes.append(t.shape)
            position += t.shape[d]
        }
        guard position == out.shape[d] else {
            throw TorchError(.shapeMismatch, "cat: internal: inputs do not fill the output \(describe(shape: out.shape))")
        }
        position = 0
        let base = out.storage.data + out.offset * out.dtype.itemSize
        for t in tensors {
            let slice = StridedOperand(pointer: base + position * out.strides[d] * out.dtype.itemSize,
                                       strides: out.strides, itemSize: out.dtype.itemSize)
            let status = StridedLoop.run(t.shape, [slice, StridedOperand(t)]) { g, p in
                st_ew_copy(StridedLoop.code(t.dtype), StridedLoop.code(out.dtype), g, p[0], p[1])
            }
            try E.check("cat", status, [t.dtype, out.dtype])
            position += t.shape[d]
        }
    }

    private static func requireIndex(_ op: String, _ index: Tensor) throws {
        guard index.dtype == .int64 || index.dtype == .int32, index.device.isCPU else {
            throw TorchError(.dtypeMismatch, "\(op): index must be an int64 or int32 tensor, got \(index.dtype)\(describe(shape: index.shape))")
        }
    }

    /// Runs the C gather over the output with `self`'s gathered dim zeroed (`selfStrides`)
    /// and the index spread over the output (`indexStrides`).
    private static func runGather(_ op: String, out: Tensor, x: Tensor, selfStrides: [Int], index: Tensor,
                                  indexStrides: [Int], dim: Int, size: Int, stride: Int) throws {
        var bad: Int64 = 0
        let status = StridedLoop.run(out.shape, [StridedOperand(out), StridedOperand(x, strides: selfStrides),
                                                 StridedOperand(index, strides: indexStrides)]) { g, p in
            st_gather(StridedLoop.code(x.dtype), StridedLoop.code(index.dtype), g, p[0], p[1], p[2],
                      Int64(size), Int64(stride), &bad)
        }
        if status == 1 {
            throw TorchError(.indexOutOfRange, "\(op): index \(bad) is out of range for dimension \(dim) with size \(size) (self shape \(describe(shape: x.shape)))")
        }
        try E.check(op, status, [x.dtype, index.dtype])
    }

    /// `out[..., j, ...] = self[..., index[j], ...]` along `dim`: a gather whose index is the
    /// 1-D index broadcast over every other dim.
    private static let indexSelect: Kernel = { call in
        let x = call.arguments.tensor("self"), index = call.arguments.tensor("index"), out = call.output
        try requireIndex("index_select", index)
        let d = x.rank == 0 ? 0 : call.arguments.int("dim")
        guard index.rank <= 1, d >= 0, d < max(x.rank, 1) else {
            throw TorchError(.shapeMismatch, "index_select: internal: index \(describe(shape: index.shape)), dim \(d), self \(describe(shape: x.shape))")
        }
        var expected = x.shape
        if x.rank > 0 { expected[d] = index.count } else if index.count != 1 {
            throw TorchError(.invalidArgument, "index_select: a 0-d self takes exactly one index, got \(index.count)")
        }
        guard out.shape == expected, out.dtype == x.dtype, x.device.isCPU else {
            throw TorchError(.shapeMismatch, "index_select: internal: output \(describe(shape: out.shape)) does not match \(describe(shape: expected))")
        }
        var selfStrides = x.strides, indexStrides = [Int](repeating: 0, count: out.rank)
        if x.rank > 0 {
            selfStrides[d] = 0
            indexStrides[d] = index.rank == 1 ? index.strides[0] : 0
        }
        try runGather("index_select", out: out, x: x, selfStrides: selfStrides, index: index, indexStrides: indexStrides,
                      dim: d, size: x.rank == 0 ? 1 : x.shape[d], stride: x.rank == 0 ? 0 : x.strides[d])
    }

    /// `out[p] = self[p with p[dim] replaced by index[p]]`; the output has index's shape.
    private static let gather: Kernel = { call in
        let x = call.arguments.tensor("self"), index = call.arguments.tensor("index"), out = call.output
        try requireIndex("gather", index)
        let d = call.arguments.int("dim")
        guard out.shape == index.shape, out.dtype == x.dtype, x.device.isCPU else {
            throw TorchError(.shapeMismatch, "gather: internal: output \(describe(shape: out.shape)) does not match index \(describe(shape: index.shape))")
        }
        if x.rank == 0 {
            guard index.rank <= 1 else {
                throw TorchError(.shapeMismatch, "gather: index \(describe(shape: index.shape)) does not fit a 0-d self")
            }
            let zeros = [Int](repeating: 0, count: out.rank)
            try runGather("gather", out: out, x: x, selfStrides: zeros, index: index, indexStrides: index.strides,
                          dim: 0, size: 1, stride: 0)
            return
        }
        guard d >= 0, d < x.rank, index.rank == x.rank,
              (0..<x.rank).allSatisfy({ $0 == d || index.shape[$0] <= x.shape[$0] }) else {
            throw TorchError(.shapeMismatch, "gather: index \(describe(shape: index.shape)) does not fit self \(describe(shape: x.shape)) at dim \(d)")
        }
        var selfStrides = x.strides
        selfStrides[d] = 0
        try runGather("gather", out: out, x: x, selfStrides: selfStrides, index: index, indexStrides: index.strides,
                      dim: d, size: x.shape[d], stride: x.strides[d])
    }
}
