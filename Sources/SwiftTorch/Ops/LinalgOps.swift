import SwiftTorchCore

// Matrix products. Meta rules check shapes and dtypes; `matmul` is canonicalised to a
// batched product: kernels see `self` as [batch..., m, k] and `other` as [batch..., k, n]
// (broadcast views with equal batch dims) and write a contiguous output whose elements are
// laid out as [batch, m, n] whatever its final shape.

enum Linalg {
    static func requireSameDType(_ op: String, _ a: Tensor, _ b: Tensor) throws {
        guard a.dtype == b.dtype else {
            throw TorchError(.dtypeMismatch, "\(op): expected both operands to have the same dtype, got \(a.dtype)\(describe(shape: a.shape)) and \(b.dtype)\(describe(shape: b.shape))")
        }
        guard a.dtype != .bool else {
            throw TorchError(.dtypeMismatch, "\(op): not defined for bool tensors")
        }
    }

    static func requireRank(_ op: String, _ name: String, _ t: Tensor, _ rank: Int) throws {
        guard t.rank == rank else {
            throw TorchError(.shapeMismatch, "\(op): \(name) must be a \(rank)-D tensor, got shape \(describe(shape: t.shape))")
        }
    }

    static func mismatch(_ op: String, _ a: Tensor, _ b: Tensor) -> TorchError {
        TorchError(.shapeMismatch, "\(op): shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be multiplied: inner dimensions differ")
    }

    /// Output shape and canonical [batch..., m, k] x [batch..., k, n] views for `matmul`.
    static func matmulPlan(_ op: String, _ a: Tensor, _ b: Tensor) throws -> (out: [Int], a: Tensor, b: Tensor) {
        guard a.rank >= 1, b.rank >= 1 else {
            throw TorchError(.shapeMismatch, "\(op): both arguments need at least 1 dimension, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        let a2 = a.rank == 1 ? Tensor(uncheckedViewOf: a, shape: [1, a.shape[0]], strides: [0, a.strides[0]], offset: a.offset) : a
        let b2 = b.rank == 1 ? Tensor(uncheckedViewOf: b, shape: [b.shape[0], 1], strides: [b.strides[0], 0], offset: b.offset) : b
        let m = a2.shape[a2.rank - 2], k = a2.shape[a2.rank - 1]
        let k2 = b2.shape[b2.rank - 2], n = b2.shape[b2.rank - 1]
        guard k == k2 else { throw mismatch(op, a, b) }
        let batch = try Meta.broadcastShape(op, [Array(a2.shape.dropLast(2)), Array(b2.shape.dropLast(2))])
        var out = batch
        if a.rank >= 2 { out.append(m) }
        if b.rank >= 2 { out.append(n) }
        return (out, Meta.broadcastView(a2, to: batch + [m, k]), Meta.broadcastView(b2, to: batch + [k, n]))
    }
}

extension Op {
    /// The `mm(Tensor self, Tensor mat2) -> Tensor` operator.
    public static let mm = declare(OperatorDefinition(
        "mm(Tensor self, Tensor mat2) -> Tensor", group: .linalg,
        meta: { args in
            let a = args.tensor("self"), b = args.tensor("mat2")
            try Linalg.requireRank("mm", "self", a, 2)
            try Linalg.requireRank("mm", "mat2", b, 2)
            guard a.shape[1] == b.shape[0] else { throw Linalg.mismatch("mm", a, b) }
            try Linalg.requireSameDType("mm", a, b)
            return [TensorSpec([a.shape[0], b.shape[1]], a.dtype)]
        }, derivative: LinalgGrad.mm))
    /// The `bmm(Tensor self, Tensor mat2) -> Tensor` operator.
    public static let bmm = declare(OperatorDefinition(
        "bmm(Tensor self, Tensor mat2) -> Tensor", group: .linalg,
        meta: { args in
            let a = args.tensor("self"), b = args.tensor("mat2")
            try Linalg.requireRank("bmm", "self", a, 3)
            try Linalg.requireRank("bmm", "mat2", b, 3)
            guard a.shape[0] == b.shape[0] else {
                throw TorchError(.shapeMismatch, "bmm: batch sizes differ: \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
            }
            guard a.shape[2] == b.shape[1] else { throw Linalg.mismatch("bmm", a, b) }
            try Linalg.requireSameDType("bmm", a, b)
            return [TensorSpec([a.shape[0], a.shape[1], b.shape[2]], a.dtype)]
        }, derivative: LinalgGrad.bmm))
    /// The `matmul(Tensor self, Tensor other) -> Tensor` operator.
    public static let matmul = declare(OperatorDefinition(
        "matmul(Tensor self, Tensor other) -> Tensor", group: .linalg,
        meta: { args in
            let a = args.tensor("self"), b = args.tensor("other")
            let plan = try Linalg.matmulPlan("matmul", a, b)
            try Linalg.requireSameDType("matmul", a, b)
            args["self"] = .tensor(plan.a)
            args["other"] = .tensor(plan.b)
            return .one(TensorSpec(plan.out, a.dtype))
        }, derivative: LinalgGrad.matmul))
    /// `beta * self + alpha * (mat1 @ mat2)`; kernels see `self` broadcast to the output.
    public static let addmm = declare(OperatorDefinition(
        "addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", group: .linalg,
        meta: { args in
            let c = args.tensor("self"), a = args.tensor("mat1"), b = args.tensor("mat2")
            try Linalg.requireRank("addmm", "mat1", a, 2)
            try Linalg.requireRank("addmm", "mat2", b, 2)
            guard a.shape[1] == b.shape[0] else { throw Linalg.mismatch("addmm", a, b) }
            try Linalg.requireSameDType("addmm", a, b)
            try Linalg.requireSameDType("addmm", c, a)
            let shape = [a.shape[0], b.shape[1]]
            guard (try? Meta.broadcastShape("addmm", [c.shape, shape])) == shape else {
                throw TorchError(.shapeMismatch, "addmm: self of shape \(describe(shape: c.shape)) does not broadcast to the product's shape \(describe(shape: shape))")
            }
            args["self"] = .tensor(Meta.broadcastView(c, to: shape))
            return .one(TensorSpec(shape, a.dtype))
        }, derivative: LinalgGrad.addmm))
    /// `input @ weight.T + bias` over the last dimension of `input`.
    public static let linear = declare(OperatorDefinition(
        "linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", group: .linalg,
        meta: { args in
            let x = args.tensor("input"), w = args.tensor("weight")
            guard x.rank >= 1, w.rank == 2 || w.rank == 1 else {
                throw TorchError(.shapeMismatch, "linear: expected input of rank >= 1 and a 1-D or 2-D weight, got \(describe(shape: x.shape)) and \(describe(shape: w.shape))")
            }
            let inFeatures = w.shape[w.rank - 1]
            guard x.shape[x.rank - 1] == inFeatures else {
                throw TorchError(.shapeMismatch, "linear: input's last dimension (\(x.shape[x.rank - 1])) differs from weight's in_features (\(inFeatures)); input \(describe(shape: x.shape)), weight \(describe(shape: w.shape))")
            }
            try Linalg.requireSameDType("linear", x, w)
            var out = Array(x.shape.dropLast())
            if w.rank == 2 { out.append(w.shape[0]) }
            if let b = args.optionalTensor("bias") {
                try Linalg.requireSameDType("linear", b, w)
                guard (try? Meta.broadcastShape("linear", [b.shape, out])) == out else {
                    throw TorchError(.shapeMismatch, "linear: bias of shape \(describe(shape: b.shape)) does not broadcast to the output's shape \(describe(shape: out))")
                }
                args["bias"] = .tensor(Meta.broadcastView(b, to: out))
            }
            return .one(TensorSpec(out, x.dtype))
        }, derivative: LinalgGrad.linear))

    static let linalgFamily = [mm, bmm, matmul, addmm, linear]
}
