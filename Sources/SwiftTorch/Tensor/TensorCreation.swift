import SwiftTorchCore

extension Tensor {
    /// A tensor holding `data`: a number or nested arrays, as `torch.tensor(...)`.
    /// `Double` values become float32 and `Int` values int64 unless `dtype` says otherwise.
    /// It is placed on `device`, else on the active backends' default device.
    public convenience init<D: TensorData>(_ data: D, dtype: DType? = nil, device: Device? = nil) throws {
        var values: [D.Scalar] = []
        var shape: [Int] = []
        try data.flatten(into: &values, shape: &shape, depth: 0)
        try self.init(values, shape: shape, dtype: dtype, device: device)
    }

    /// A tensor of `shape` from `values` in row-major order, on `device` (else the default device).
    public convenience init<S: TensorScalar>(_ values: [S], shape: [Int], dtype: DType? = nil, device: Device? = nil) throws {
        // A shape that is not one (a negative size, too many elements) cannot be filled either.
        let count = try? ShapeArithmetic.elementCount("Tensor(_:shape:)", shape)
        guard let count, count == values.count else {
            let needed = count.map { "\($0) elements" } ?? "not a valid shape: sizes must be non-negative with a product an Int can count"
            throw TorchError(.shapeMismatch, "Tensor(_:shape:): \(values.count) values do not fill shape \(describe(shape: shape)) (\(needed))")
        }
        let dtype = dtype ?? S.defaultDType
        let host = try Tensor(zerosOnCPU: shape, dtype: dtype, for: "Tensor(_:shape:)")
        if dtype.isFloatingPoint || S.defaultDType.isFloatingPoint {
            host.setDoubleValues(values.map(\.doubleValue))
        } else {
            host.setInt64Values(values.map(\.int64Value))
        }
        // Values are written on the host, then copied once to a device if one is wanted (as
        // `torch.tensor` does under `torch.set_default_device`).
        let target = device ?? (try? Runtime.activePriority().defaultDevice) ?? .cpu
        let placed = target.isCPU ? host : try host.to(target)
        self.init(uncheckedStorage: placed.storage, shape: shape, strides: placed.strides, offset: placed.offset, dtype: dtype)
    }

    /// The elements in row-major order as Swift numbers of type `T`.
    public func toArray<T: TensorScalar>(of type: T.Type = T.self) throws -> [T] {
        // Elements pass through a Double or Int64 array on their way to [T].
        try HostArrayBudget.require("toArray", count: count, elementSize: 8 + MemoryLayout<T>.stride,
                                    for: "an array of this \(dtype)\(describe(shape: shape)) tensor's elements")
        let host = try cpu()
        if host.dtype.isFloatingPoint { return host.doubleValues().map(T.init(fromDouble:)) }
        return host.int64Values().map(T.init(fromInt64:))
    }

    /// The value of a one-element tensor.
    public func item<T: TensorScalar>(_ type: T.Type = Double.self) throws -> T {
        guard count == 1 else {
            throw TorchError(.invalidArgument, "item: only a one-element tensor converts to a Swift number; this one has shape \(describe(shape: shape)) (\(count) elements)")
        }
        return try toArray(of: T.self)[0]
    }

    /// This tensor on the CPU (itself if it is already there).
    public func cpu() throws -> Tensor { try to(.cpu) }

    /// This tensor on `device` (itself if it is already there).
    public func to(_ device: Device) throws -> Tensor {
        if device == self.device { return self }
        return try dispatch(Op.toCopy, [.tensor(self)], [("device", .device(device))])
    }
}

// MARK: Factories, as torch.zeros, torch.arange, ...

extension Tensor {
    /// A tensor of `shape` filled with `value` (default float type unless `dtype` says), as
    /// `torch.full`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.full, [.ints(shape), .double(value)], creationKeywords(dtype ?? .defaultFloat, device))
    }
    /// A tensor of `shape` filled with zeros, as `torch.zeros`.
    public static func zeros(_ shape: [Int], dtype: DType = .defaultFloat, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.full, [.ints(shape), .int(0)], creationKeywords(dtype, device))
    }
    /// A tensor of `shape` filled with ones, as `torch.ones`.
    public static func ones(_ shape: [Int], dtype: DType = .defaultFloat, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.full, [.ints(shape), .int(1)], creationKeywords(dtype, device))
    }
    /// Zeros with the shape, dtype and device of `t`, as `torch.zeros_like`.
    public static func zeros(like t: Tensor) throws -> Tensor { try zeros(t.shape, dtype: t.dtype, device: t.device) }
    /// Ones with the shape, dtype and device of `t`, as `torch.ones_like`.
    public static func ones(like t: Tensor) throws -> Tensor { try ones(t.shape, dtype: t.dtype, device: t.device) }

    /// `0, 1, ..., end - 1` as int64.
    public static func arange(_ end: Int, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.arange, [.int(0), .int(end), .int(1)], creationKeywords(dtype, device))
    }
    /// Integers from `start` up to `end` (excluded) by `step`, as int64.
    public static func arange(_ start: Int, _ end: Int, step: Int = 1, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.arange, [.int(start), .int(end), .int(step)], creationKeywords(dtype, device))
    }
    /// Values from `start` up to `end` (excluded) by `step`, as the default float type.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.arange, [.double(start), .double(end), .double(step)], creationKeywords(dtype, device))
    }
    /// `steps` evenly spaced values from `start` to `end`, both included, as `torch.linspace`.
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.linspace, [.double(start), .double(end), .int(steps)], creationKeywords(dtype, device))
    }
    /// An `n` x `m` (or `n` x `n`) matrix with ones on the diagonal, as `torch.eye`.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType? = nil, device: Device? = nil) throws -> Tensor {
        try dispatch(Op.eye, [.int(n), m.map(ArgumentValue.int) ?? .none], creationKeywords(dtype, device))
    }

    static func creationKeywords(_ dtype: DType?, _ device: Device?) -> [(String, ArgumentValue)] {
        var kw: [(String, ArgumentValue)] = []
        if let dtype { kw.append(("dtype", .dtype(dtype))) }
        if let device { kw.append(("device", .device(device))) }
        return kw
    }
}
