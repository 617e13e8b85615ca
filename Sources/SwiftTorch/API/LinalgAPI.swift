import SwiftTorchCore

extension Tensor {
    /// Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands.
    public func matmul(_ other: Tensor) throws -> Tensor { try dispatch(Op.matmul, [.tensor(self), .tensor(other)]) }
    /// Product of two matrices.
    public func mm(_ other: Tensor) throws -> Tensor { try dispatch(Op.mm, [.tensor(self), .tensor(other)]) }
    /// Batched product of two 3-D tensors.
    public func bmm(_ other: Tensor) throws -> Tensor { try dispatch(Op.bmm, [.tensor(self), .tensor(other)]) }
}

/// Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands.
public func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor { try a.matmul(b) }

/// `beta * input + alpha * (mat1 @ mat2)`.
public func addmm(_ input: Tensor, _ mat1: Tensor, _ mat2: Tensor, beta: Double = 1, alpha: Double = 1) throws -> Tensor {
    try dispatch(Op.addmm, [.tensor(input), .tensor(mat1), .tensor(mat2)], [("beta", .double(beta)), ("alpha", .double(alpha))])
}

/// `input @ weight.T + bias`, the affine map of `Linear`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    try dispatch(Op.linear, [.tensor(input), .tensor(weight), bias.map(ArgumentValue.tensor) ?? .none])
}

