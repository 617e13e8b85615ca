import COpenMPKernels
import SwiftTorchCore

/// One tensor operand of a strided C kernel: the address of its first element and its
/// element strides over the loop's shape (0 along broadcast dims).
struct StridedOperand {
    var pointer: UnsafeMutableRawPointer
    var strides: [Int]
    var itemSize: Int

    init(pointer: UnsafeMutableRawPointer, strides: [Int], itemSize: Int) {
        self.pointer = pointer
        self.strides = strides
        self.itemSize = itemSize
    }

    /// `t` as it is: its view's first element and strides.
    init(_ t: Tensor) {
        self.init(pointer: t.storage.data + t.offset * t.dtype.itemSize, strides: t.strides, itemSize: t.dtype.itemSize)
    }

    /// `t` with other strides (a gathered dim zeroed, a 0-d tensor spread over a shape).
    init(_ t: Tensor, strides: [Int]) {
        self.init(pointer: t.storage.data + t.offset * t.dtype.itemSize, strides: strides, itemSize: t.dtype.itemSize)
    }
}

/// Builds the `st_ew_geometry` the C kernels walk: the geometry is coalesced here, so C
/// sees as few (and as long) rows as the strides allow, and ranks beyond `ST_MAX_DIMS`
/// are split into several calls rather than refused.
enum StridedLoop {
    static let maxDims = Int(ST_MAX_DIMS)
    static let maxOperands = Int(ST_EW_MAX_OPERANDS)

    /// The C code of a dtype (`st_dtype`).
    static func code(_ dtype: DType) -> Int32 {
        switch dtype {
        case .bool: Int32(ST_DT_BOOL.rawValue)
        case .int32: Int32(ST_DT_INT32.rawValue)
        case .int64: Int32(ST_DT_INT64.rawValue)
        case .float32: Int32(ST_DT_FLOAT32.rawValue)
        case .float64: Int32(ST_DT_FLOAT64.rawValue)
        }
    }

    /// Drops size-1 dims and merges neighbours that every operand walks as one
    /// (outer stride = inner stride * inner size). Never returns an empty shape.
    static func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for d in shape.indices where shape[d] != 1 {
            if let last = outShape.indices.last,
               strides.indices.allSatisfy({ outStrides[$0][last] == strides[$0][d] * shape[d] }) {
                outShape[last] *= shape[d]
                for k in strides.indices { outStrides[k][last] = strides[k][d] }
            } else {
                outShape.append(shape[d])
                for k in strides.indices { outStrides[k].append(strides[k][d]) }
            }
        }
        if outShape.isEmpty { return ([1], strides.map { _ in [0] }) }
        return (outShape, outStrides)
    }

    /// Calls `body` with a geometry over `shape` and each operand's base pointer (operand 0
    /// is the output). Returns the first non-zero status `body` returned, else 0. Nothing
    /// runs for an empty shape.
    static func run(_ shape: [Int], _ operands: [StridedOperand],
                    _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
        operands.withUnsafeBufferPointer { run(shape, $0, body) }
    }

    /// ``run(_:_:_:)`` for an output and two inputs, with the operands on the stack: the
    /// binary kernels' tiny calls allocate no list.
    static func run(_ shape: [Int], _ out: StridedOperand, _ a: StridedOperand, _ b: StridedOperand,
                    _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
        withUnsafeTemporaryAllocation(of: StridedOperand.self, capacity: 3) { operands in
            operands.initializeElement(at: 0, to: out)
            operands.initializeElement(at: 1, to: a)
            operands.initializeElement(at: 2, to: b)
            defer { _ = operands.deinitialize() }
            return run(shape, UnsafeBufferPointer(operands), body)
        }
    }

    /// Runs `body` over an output and two inputs as one row when each walks the output's
    /// shape flat: row-major over it, or one element seen through stride 0 (a Swift
    /// number). That is the usual tiny call, which then skips coalescing and copies no
    /// stride list. Nil when some operand is laid out otherwise.
    @inline(__always)
    static func runFlat(_ out: Tensor, _ a: Tensor, _ b: Tensor,
                        _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32? {
        let shape = out.shape
        guard flatStep(out, shape) == 1, let stepA = flatStep(a, shape), let stepB = flatStep(b, shape) else { return nil }
        let n = out.count
        if n == 0 { return 0 }
        var geometry = st_ew_geometry()
        geometry.ndim = 1
        geometry.shape.0 = Int64(n)
        withUnsafeMutablePointer(to: &geometry.strides) {
            $0.withMemoryRebound(to: Int64.self, capacity: maxDims * maxOperands) { strides in
                strides[0] = 1
                strides[maxDims] = stepA
                strides[2 * maxDims] = stepB
            }
        }
        return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: 3) { pointers in
            pointers.initializeElement(at: 0, to: firstElement(out))
            pointers.initializeElement(at: 1, to: firstElement(a))
            pointers.initializeElement(at: 2, to: firstElement(b))
            return withUnsafePointer(to: &geometry) { body($0, UnsafeBufferPointer(pointers)) }
        }
    }

    /// 1 when `t` is row-major over `shape`, 0 when every stride is 0, else nil.
    @inline(__always)
    private static func flatStep(_ t: Tensor, _ shape: [Int]) -> Int64? {
        guard t.shape == shape else { return nil }
        if Tensor.isRowMajor(shape, t.strides) { return 1 }
        for s in t.strides where s != 0 { return nil }
        return 0
    }

    @inline(__always)
    private static func firstElement(_ t: Tensor) -> UnsafeMutableRawPointer {
        t.storage.data + t.offset * t.dtype.itemSize
    }

    /// ``run(_:_:_:)`` for an output and one input, with the operands on the stack.
    static func run(_ shape: [Int], _ out: StridedOperand, _ a: StridedOperand,
                    _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
        withUnsafeTemporaryAllocation(of: StridedOperand.self, capacity: 2) { operands in
            operands.initializeElement(at: 0, to: out)
            operands.initializeElement(at: 1, to: a)
            defer { _ = operands.deinitialize() }
            return run(shape, UnsafeBufferPointer(operands), body)
        }
    }

    private static func run(_ shape: [Int], _ operands: UnsafeBufferPointer<StridedOperand>,
                            _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
        precondition(operands.count <= maxOperands && operands.allSatisfy { $0.strides.count == shape.count },
                     "internal: strided operands do not match the loop's shape")
        for size in shape where size == 0 { return 0 }
        // The common case, a geometry that coalesces to at most ST_MAX_DIMS dims, is built
        // straight into the C struct: a tiny call allocates nothing here.
        var geometry = st_ew_geometry()
        if coalesce(shape, operands, into: &geometry) {
            return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: operands.count) { pointers in
                for k in operands.indices { pointers.initializeElement(at: k, to: operands[k].pointer) }
                return withUnsafePointer(to: &geometry) { body($0, UnsafeBufferPointer(pointers)) }
            }
        }
        return runHighRank(shape, operands, body)
    }

    /// `coalesce(_:_:)` written into `geometry`; false when more than ST_MAX_DIMS dims remain.
    private static func coalesce(_ shape: [Int], _ operands: UnsafeBufferPointer<StridedOperand>, into geometry: inout st_ew_geometry) -> Bool {
        let m = maxDims
        var n = 0
        let fits = withUnsafeMutablePointer(to: &geometry.shape) {
            $0.withMemoryRebound(to: Int64.self, capacity: m) { dims in
                withUnsafeMutablePointer(to: &geometry.strides) {
                    $0.withMemoryRebound(to: Int64.self, capacity: m * maxOperands) { strides in
                        for d in shape.indices where shape[d] != 1 {
                            let size = Int64(shape[d])
                            var mergeable = n > 0
                            var k = 0
                            while mergeable && k < operands.count {
                                mergeable = strides[k * m + n - 1] == Int64(operands[k].strides[d]) * size
                                k += 1
                            }
                            if mergeable {
                                dims[n - 1] *= size
                                for k in operands.indices { strides[k * m + n - 1] = Int64(operands[k].strides[d]) }
                            } else {
                                if n == m { return false }
                                dims[n] = size
                                for k in operands.indices { strides[k * m + n] = Int64(operands[k].strides[d]) }
                                n += 1
                            }
                        }
                        if n == 0 {
                            dims[0] = 1
                            for k in operands.indices { strides[k * m] = 0 }
                            n = 1
                        }
                        return true
                    }
                }
            }
        }
        geometry.ndim = Int32(n)
        return fits
    }

    /// More than ST_MAX_DIMS dims after coalescing: walk the leading dims here and hand C
    /// the trailing ones.
    private static func runHighRank(_ shape: [Int], _ operands: UnsafeBufferPointer<StridedOperand>,
                                    _ body: (UnsafePointer<st_ew_geometry>, UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Int32) -> Int32 {
        let (dims, strides) = coalesce(shape, operands.map(\.strides))
        let lead = max(0, dims.count - maxDims)
        let tailShape = Array(dims[lead...])
        var geometry = st_ew_geometry()
        geometry.ndim = Int32(tailShape.count)
        withUnsafeMutablePointer(to: &geometry.shape) {
            $0.withMemoryRebound(to: Int64.self, capacity: maxDims) { p in
                for (i, s) in tailShape.enumerated() { p[i] = Int64(s) }
            }
        }
        withUnsafeMutablePointer(to: &geometry.strides) {
            $0.withMemoryRebound(to: Int64.self, capacity: maxDims * maxOperands) { p in
                for k in operands.indices {
                    for (i, s) in strides[k][lead...].enumerated() { p[k * maxDims + i] = Int64(s) }
                }
            }
        }
        var index = [Int](repeating: 0, count: lead)
        while true {
            let pointers = operands.indices.map { k in
                var elements = 0
                for d in 0..<lead { elements += index[d] * strides[k][d] }
                return operands[k].pointer + elements * operands[k].itemSize
            }
            let status = pointers.withUnsafeBufferPointer { p in withUnsafePointer(to: &geometry) { body($0, p) } }
            if status != 0 { return status }
            // Odometer over the leading dims.
            var d = lead - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < dims[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return 0 }
        }
    }
}
