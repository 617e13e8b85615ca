import SwiftTorchCore

// Fused backward operators, as PyTorch has them: one kernel where a derivative formula
// would otherwise dispatch a chain of elementwise and reduction calls. Each is an operator
// like any other (meta rule, kernels, samples, its own derivative), so double backward
// and gradcheck go through them.

extension Op {
    /// `self <= threshold ? 0 : grad_output`: relu's backward (PyTorch's `threshold_backward`).
    /// The threshold is compared in the tensors' dtype; a NaN in `self` lets the gradient through.
    public static let thresholdBackward = declare(OperatorDefinition(
        "threshold_backward(Tensor grad_output, Tensor self, Scalar threshold) -> Tensor", group: .elementwise,
        meta: { args in
            try Meta.elementwise("threshold_backward", &args, ["grad_output", "self"], compute: Meta.floatCompute)
        }, derivative: BackwardGrad.thresholdBackward))

    /// softmax's backward from its output: `output * (grad_output - sum(grad_output * output, dim))`,
    /// written in `input_dtype`.
    public static let softmaxBackwardData = declare(OperatorDefinition(
        "_softmax_backward_data(Tensor grad_output, Tensor output, int dim, ScalarType input_dtype) -> Tensor", group: .softmax,
        meta: softmaxBackwardMeta("_softmax_backward_data"), derivative: BackwardGrad.softmaxBackwardData))

    /// log_softmax's backward from its output: `grad_output - exp(output) * sum(grad_output, dim)`.
    public static let logSoftmaxBackwardData = declare(OperatorDefinition(
        "_log_softmax_backward_data(Tensor grad_output, Tensor output, int dim, ScalarType input_dtype) -> Tensor", group: .softmax,
        meta: softmaxBackwardMeta("_log_softmax_backward_data"), derivative: BackwardGrad.logSoftmaxBackwardData))

    /// nll_loss's gradient in `self`: `-weight[t] * grad` at each sample's target class (divided by
    /// the total weight of the non-ignored samples for "mean"), 0 elsewhere and for ignored
    /// samples. PyTorch's schema, with our nll_loss's string `reduction`; `total_weight`
    /// (what PyTorch's forward returns beside the loss) is worked out when not given.
    public static let nllLossBackward = declare(OperatorDefinition(
        "nll_loss_backward(Tensor grad_output, Tensor self, Tensor target, Tensor? weight=None, str reduction=\"mean\", int ignore_index=-100, Tensor? total_weight=None) -> Tensor",
        group: .loss,
        meta: { args in
            let op = "nll_loss_backward"
            let reduction = try Loss.reduction(op, args)
            let reducedShape = try Loss.classification(op, &args, allowProbabilities: false)
            let input = args.tensor("self"), grad = args.tensor("grad_output")
            let expected = reduction == "none" ? reducedShape : []
            guard grad.shape == expected else {
                throw TorchError(.shapeMismatch, "\(op): grad_output of shape \(describe(shape: grad.shape)) does not match the loss's shape \(describe(shape: expected)) (reduction \"\(reduction)\")")
            }
            args["grad_output"] = .tensor(try Meta.cast(grad, to: input.dtype))
            if let total = args.optionalTensor("total_weight") {
                guard total.count == 1 else {
                    throw TorchError(.shapeMismatch, "\(op): total_weight must hold one element, got \(describe(shape: total.shape))")
                }
                args["total_weight"] = .tensor(try Meta.cast(total, to: input.dtype))
            }
            return .one(TensorSpec(input.shape, input.dtype))
        }, derivative: BackwardGrad.nllLossBackward))

    static let backwardFamily = [thresholdBackward, softmaxBackwardData, logSoftmaxBackwardData, nllLossBackward]
}

/// Kernels see grad_output and output in one floating compute dtype with equal shapes, and a
/// wrapped `dim`; the result is in `input_dtype`.
private func softmaxBackwardMeta(_ op: String) -> MetaFunction {
    { args in
        let g = args.tensor("grad_output"), y = args.tensor("output")
        guard g.shape == y.shape else {
            throw TorchError(.shapeMismatch, "\(op): grad_output \(describe(shape: g.shape)) and output \(describe(shape: y.shape)) must have one shape")
        }
        args["dim"] = .int(try Meta.wrapDim(op, args.int("dim"), rank: y.rank, shape: y.shape))
        guard let inputDType = args.optionalDType("input_dtype"), inputDType.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): input_dtype must be a floating-point dtype")
        }
        let compute = Meta.floatCompute(Meta.resultType([g, y]))
        args["grad_output"] = .tensor(try Meta.cast(g, to: compute))
        args["output"] = .tensor(try Meta.cast(y, to: compute))
        return .one(TensorSpec(y.shape, inputDType))
    }
}

// The calls derivative formulas make.

/// Whether a backend serving `t`'s device has a kernel for `op`. A device backend (a CUDA
/// plugin) that lacks a fused backward keeps the decomposition, which it can run.
func hasFusedKernel(_ op: OperatorHandle, on t: Tensor) -> Bool {
    if t.device.isCPU { return true }
    let implementers = op.implementingBackends
    return Runtime.registry.backends.contains { $0.serves(t.device) && implementers.contains($0.name) }
}

func thresholdBackward(_ grad: Tensor, _ input: Tensor, threshold: Double) throws -> Tensor {
    try dispatch(Op.thresholdBackward, [.tensor(grad), .tensor(input), .double(threshold)])
}

func softmaxBackwardData(_ grad: Tensor, output: Tensor, dim: Int, inputDType: DType, log: Bool) throws -> Tensor {
    try dispatch(log ? Op.logSoftmaxBackwardData : Op.softmaxBackwardData,
                 [.tensor(grad), .tensor(output), .int(dim), .dtype(inputDType)])
}

func nllLossBackward(_ grad: Tensor, input: Tensor, target: Tensor, weight: Tensor?, reduction: String,
                     ignoreIndex: Int, totalWeight: Tensor? = nil) throws -> Tensor {
    try dispatch(Op.nllLossBackward, [.tensor(grad), .tensor(input), .tensor(target), weight.map { .tensor($0) } ?? .none,
                                      .string(reduction), .int(ignoreIndex), totalWeight.map { .tensor($0) } ?? .none])
}
