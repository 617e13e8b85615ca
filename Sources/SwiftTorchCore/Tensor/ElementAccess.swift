// Host-side element access: strided iteration and conversion between dtypes and Swift
// numbers. Printing, `toArray`, the conformance runner and the reference backend use it;
// fast backends read the raw pointers themselves.

extension Tensor {
    /// Calls `body` with the storage offset (in elements) of every element, in row-major
    /// order of the view.
    @inlinable
    public func forEachElementOffset(_ body: (Int) throws -> Void) rethrows {
        let n = count
        if n == 0 { return }
        if rank == 0 { try body(offset); return }
        let last = rank - 1
        let innerSize = shape[last], innerStride = strides[last]
        var index = [Int](repeating: 0, count: rank)
        var base = offset
        while true {
            var o = base
            for _ in 0..<innerSize { try body(o); o += innerStride }
            // Advance the outer dimensions like an odometer.
            var d = last - 1
            while d >= 0 {
                index[d] += 1
                base += strides[d]
                if index[d] < shape[d] { break }
                base -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// Calls `body` with the storage offsets of the same element in this tensor and in
    /// `other` (of the same shape), in row-major order: an elementwise walk over two views
    /// that gathers nothing into arrays.
    public func forEachElementOffset(alongside other: Tensor, _ body: (Int, Int) throws -> Void) rethrows {
        precondition(other.shape == shape, "internal: walking \(describe(shape: shape)) alongside \(describe(shape: other.shape))")
        if count == 0 { return }
        if rank == 0 { try body(offset, other.offset); return }
        let last = rank - 1
        let innerSize = shape[last], innerStride = strides[last], otherInnerStride = other.strides[last]
        var index = [Int](repeating: 0, count: rank)
        var base = offset, otherBase = other.offset
        while true {
            var o = base, p = otherBase
            for _ in 0..<innerSize {
                try body(o, p)
                o += innerStride
                p += otherInnerStride
            }
            var d = last - 1
            while d >= 0 {
                index[d] += 1
                base += strides[d]
                otherBase += other.strides[d]
                if index[d] < shape[d] { break }
                base -= strides[d] * shape[d]
                otherBase -= other.strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    private func requireCPU(_ what: String) {
        precondition(device.isCPU, "internal: \(what) reads host memory; move the tensor to the CPU first")
    }

    /// The elements as `Double`, row-major. Integers beyond 2^53 lose precision; use `int64Values()`.
    public func doubleValues() -> [Double] {
        requireCPU("doubleValues")
        var out = [Double](); out.reserveCapacity(count)
        let p = storage.data
        switch dtype {
        case .float32: forEachElementOffset { out.append(Double(p.load(fromByteOffset: $0 * 4, as: Float.self))) }
        case .float64: forEachElementOffset { out.append(p.load(fromByteOffset: $0 * 8, as: Double.self)) }
        case .int32: forEachElementOffset { out.append(Double(p.load(fromByteOffset: $0 * 4, as: Int32.self))) }
        case .int64: forEachElementOffset { out.append(Double(p.load(fromByteOffset: $0 * 8, as: Int64.self))) }
        case .bool: forEachElementOffset { out.append(p.load(fromByteOffset: $0, as: UInt8.self) != 0 ? 1 : 0) }
        }
        return out
    }

    /// The elements as `Int64`, row-major; floats convert by ``DType/integerValue(_:)``.
    public func int64Values() -> [Int64] {
        requireCPU("int64Values")
        var out = [Int64](); out.reserveCapacity(count)
        let p = storage.data
        switch dtype {
        case .float32: forEachElementOffset { out.append(DType.integerValue(Double(p.load(fromByteOffset: $0 * 4, as: Float.self)))) }
        case .float64: forEachElementOffset { out.append(DType.integerValue(p.load(fromByteOffset: $0 * 8, as: Double.self))) }
        case .int32: forEachElementOffset { out.append(Int64(p.load(fromByteOffset: $0 * 4, as: Int32.self))) }
        case .int64: forEachElementOffset { out.append(p.load(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .bool: forEachElementOffset { out.append(p.load(fromByteOffset: $0, as: UInt8.self) != 0 ? 1 : 0) }
        }
        return out
    }

    /// The element at storage offset `offset` (in elements) as a `Double`.
    @inline(__always)
    public func doubleElement(atOffset offset: Int) -> Double {
        let p = storage.data
        switch dtype {
        case .float32: return Double(p.load(fromByteOffset: offset * 4, as: Float.self))
        case .float64: return p.load(fromByteOffset: offset * 8, as: Double.self)
        case .int32: return Double(p.load(fromByteOffset: offset * 4, as: Int32.self))
        case .int64: return Double(p.load(fromByteOffset: offset * 8, as: Int64.self))
        case .bool: return p.load(fromByteOffset: offset, as: UInt8.self) != 0 ? 1 : 0
        }
    }

    /// The element at storage offset `offset` (in elements) as an `Int64`; floats convert by
    /// ``DType/integerValue(_:)``.
    @inline(__always)
    public func int64Element(atOffset offset: Int) -> Int64 {
        let p = storage.data
        switch dtype {
        case .float32: return DType.integerValue(Double(p.load(fromByteOffset: offset * 4, as: Float.self)))
        case .float64: return DType.integerValue(p.load(fromByteOffset: offset * 8, as: Double.self))
        case .int32: return Int64(p.load(fromByteOffset: offset * 4, as: Int32.self))
        case .int64: return p.load(fromByteOffset: offset * 8, as: Int64.self)
        case .bool: return p.load(fromByteOffset: offset, as: UInt8.self) != 0 ? 1 : 0
        }
    }

    /// Writes `value(i)` into the `i`-th element (row-major), converting to this tensor's
    /// dtype. Unlike ``setDoubleValues(_:)-([Double])`` it needs no array of every element,
    /// which for a large tensor is memory Swift cannot fail to allocate softly.
    public func setDoubleValues(_ value: (Int) throws -> Double) rethrows {
        requireCPU("setDoubleValues")
        let p = storage.data
        var i = 0
        try forEachElementOffset { dtype.store(try value(i), at: p, element: $0); i += 1 }
    }

    /// Writes the integer `value(i)` into the `i`-th element (row-major), converting to this
    /// tensor's dtype, without an array of every element.
    public func setInt64Values(_ value: (Int) throws -> Int64) rethrows {
        requireCPU("setInt64Values")
        let p = storage.data
        var i = 0
        try forEachElementOffset { dtype.store(try value(i), at: p, element: $0); i += 1 }
    }

    /// Writes `values` (row-major) into this tensor's elements, converting to its dtype.
    public func setDoubleValues(_ values: [Double]) {
        requireCPU("setDoubleValues")
        precondition(values.count == count, "internal: \(values.count) values for \(count) elements")
        let p = storage.data
        var i = 0
        forEachElementOffset { dtype.store(values[i], at: p, element: $0); i += 1 }
    }

    /// Writes integer `values` (row-major) into this tensor's elements, converting to its dtype.
    public func setInt64Values(_ values: [Int64]) {
        requireCPU("setInt64Values")
        precondition(values.count == count, "internal: \(values.count) values for \(count) elements")
        let p = storage.data
        var i = 0
        forEachElementOffset { dtype.store(values[i], at: p, element: $0); i += 1 }
    }
}

extension DType {
    /// Stores a float value as this dtype: the conversion rule of `_to_copy` from a
    /// floating-point source (floats round once, integers by ``integerValue(_:)``).
    @inline(__always)
    public func store(_ v: Double, at p: UnsafeMutableRawPointer, element: Int) {
        switch self {
        case .float32: p.storeBytes(of: Float(v), toByteOffset: element * 4, as: Float.self)
        case .float64: p.storeBytes(of: v, toByteOffset: element * 8, as: Double.self)
        case .int32: p.storeBytes(of: Int32(clamping: DType.integerValue(v)), toByteOffset: element * 4, as: Int32.self)
        case .int64: p.storeBytes(of: DType.integerValue(v), toByteOffset: element * 8, as: Int64.self)
        case .bool: p.storeBytes(of: UInt8(v != 0 ? 1 : 0), toByteOffset: element, as: UInt8.self)
        }
    }

    /// Stores an integer value as this dtype: the conversion rule of `_to_copy` from an
    /// integer or bool source (int32 wraps, as a C cast does).
    @inline(__always)
    public func store(_ v: Int64, at p: UnsafeMutableRawPointer, element: Int) {
        switch self {
        case .float32: p.storeBytes(of: Float(v), toByteOffset: element * 4, as: Float.self)
        case .float64: p.storeBytes(of: Double(v), toByteOffset: element * 8, as: Double.self)
        case .int32: p.storeBytes(of: Int32(truncatingIfNeeded: v), toByteOffset: element * 4, as: Int32.self)
        case .int64: p.storeBytes(of: v, toByteOffset: element * 8, as: Int64.self)
        case .bool: p.storeBytes(of: UInt8(v != 0 ? 1 : 0), toByteOffset: element, as: UInt8.self)
        }
    }
}

extension DType {
    /// The one rule every backend follows when a float becomes an integer: truncate toward
    /// zero, NaN becomes 0, and values beyond the range saturate (±inf included).
    @inlinable
    public static func integerValue(_ x: Double) -> Int64 {
        if x.isNaN { return 0 }
        if x >= 9.223372036854775807e18 { return .max }
        if x <= -9.223372036854775808e18 { return .min }
        return Int64(x.rounded(.towardZero))
    }
}
