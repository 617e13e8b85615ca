import SwiftTorchCore

extension Op {
    /// Copies into a new contiguous tensor, optionally of another dtype or on another device.
    public static let toCopy = declare(OperatorDefinition(
        "_to_copy(Tensor self, *, ScalarType? dtype=None, Device? device=None) -> Tensor",
        group: .conversion,
        meta: { args in
            let t = args.tensor("self")
            // A transfer runs on the device side's backend (the dispatcher picks it); the
            // output is allocated where it is going.
            let target = args.optionalDevice("device").flatMap { $0 == t.device ? nil : $0 }
            return .one(TensorSpec(t.shape, args.optionalDType("dtype") ?? t.dtype, device: target))
        },
        derivative: ShapeGrad.toCopy))

    static let conversionFamily = [toCopy]
}

extension Tensor {
    /// A copy converted to `dtype` (the same tensor if it already has it), as PyTorch's `.to(dtype)`.
    public func to(_ dtype: DType) throws -> Tensor {
        if dtype == self.dtype { return self }
        return try dispatch(Op.toCopy, [.tensor(self)], [("dtype", .dtype(dtype))])
    }

    /// A contiguous copy with its own storage.
    public func clone() throws -> Tensor { try dispatch(Op.toCopy, [.tensor(self)]) }

    /// This tensor if its elements are already in row-major order, else a contiguous copy.
    public func contiguous() throws -> Tensor { isContiguous ? self : try clone() }
}
