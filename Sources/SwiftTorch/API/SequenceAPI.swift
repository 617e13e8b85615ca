import SwiftTorchCore

// The Swift face of the masking, activation and splitting operators used by sequence
// models: methods on Tensor, as PyTorch's tensor methods.

extension Tensor {
    /// This tensor with `value` wherever the bool `mask` (broadcast with it) is true.
    public func maskedFill(_ mask: Tensor, value: Double) throws -> Tensor {
        try dispatch(Op.maskedFill, [.tensor(self), .tensor(mask), .double(value)])
    }
    /// This tensor with the 0-d tensor `value` wherever `mask` is true; `value` receives
    /// the summed gradient of the positions it fills.
    public func maskedFill(_ mask: Tensor, value: Tensor) throws -> Tensor {
        try dispatch(Op.maskedFill, [.tensor(self), .tensor(mask), .tensor(value)])
    }
    /// The same as ``maskedFill(_:value:)``, for formulas that read better unlabelled.
    func maskedFill(_ mask: Tensor, _ value: Double) throws -> Tensor { try maskedFill(mask, value: value) }

    /// The lower triangle of the last two dims (`column - row <= diagonal`), the rest zeroed.
    public func tril(diagonal: Int = 0) throws -> Tensor { try dispatch(Op.tril, [.tensor(self), .int(diagonal)]) }
    /// The upper triangle of the last two dims (`column - row >= diagonal`), the rest zeroed.
    public func triu(diagonal: Int = 0) throws -> Tensor { try dispatch(Op.triu, [.tensor(self), .int(diagonal)]) }

    /// `x` for positive elements, `negativeSlope * x` for the others.
    public func leakyRelu(negativeSlope: Double = 0.01) throws -> Tensor {
        try dispatch(Op.leakyRelu, [.tensor(self), .double(negativeSlope)])
    }
    /// `scale * x` for positive elements, `scale * alpha * (exp(inputScale * x) - 1)` for
    /// the others (PyTorch's `elu`; `scale` and `inputScale` are 1 there unless given).
    public func elu(alpha: Double = 1, scale: Double = 1, inputScale: Double = 1) throws -> Tensor {
        try dispatch(Op.elu, [.tensor(self), .double(alpha), .double(scale), .double(inputScale)])
    }

    /// Views of `splitSize` elements along `dim` (the last may be shorter).
    public func split(_ splitSize: Int, dim: Int = 0) throws -> [Tensor] {
        try dispatchAll(Op.split, [.tensor(self), .int(splitSize), .int(dim)])
    }
    /// Views with the given `sizes` along `dim`; they must sum to its size.
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        try dispatchAll(Op.splitWithSizes, [.tensor(self), .ints(sizes), .int(dim)])
    }
    /// At most `chunks` views of equal size along `dim` (the last may be smaller).
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        try dispatchAll(Op.chunk, [.tensor(self), .int(chunks), .int(dim)])
    }
}
