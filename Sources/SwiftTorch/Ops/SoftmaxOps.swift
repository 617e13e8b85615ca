import SwiftTorchCore

func softmaxMeta(_ op: String) -> MetaFunction {
    { args in
        let t = args.tensor("self")
        args["dim"] = .int(try Meta.wrapDim(op, args.int("dim"), rank: t.rank, shape: t.shape))
        let dtype = args.optionalDType("dtype") ?? Meta.floatCompute(t.dtype)
        guard dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): dtype must be floating point, got \(dtype)")
        }
        args["self"] = .tensor(try Meta.cast(t, to: dtype))
        return .one(TensorSpec(t.shape, dtype))
    }
}

extension Op {
    /// Kernels get a wrapped `dim` and input already in the output dtype.
    public static let softmax = declare(OperatorDefinition(
        "softmax(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", group: .softmax, meta: softmaxMeta("softmax"), derivative: ReductionGrad.softmax))
    /// `x - logsumexp(x)` along `dim`; never `log(softmax(x))`, which underflows.
    public static let logSoftmax = declare(OperatorDefinition(
        "log_softmax(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", group: .softmax, meta: softmaxMeta("log_softmax"), derivative: ReductionGrad.logSoftmax))

    static let softmaxFamily = [softmax, logSoftmax]
}
