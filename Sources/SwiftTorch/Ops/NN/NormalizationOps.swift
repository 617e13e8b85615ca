import SwiftTorchCore

enum Normalization {
    /// Casts the optional per-feature tensor `name` to `dtype` after checking its shape.
    static func parameter(_ op: String, _ args: inout Arguments, _ name: String, shape: [Int], dtype: DType) throws {
        guard let t = args.optionalTensor(name) else { return }
        guard t.shape == shape else {
            throw TorchError(.shapeMismatch, "\(op): \(name) must have shape \(describe(shape: shape)), got \(describe(shape: t.shape))")
        }
        guard t.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): \(name) must be floating point, got \(t.dtype)\(describe(shape: t.shape))")
        }
        args[name] = .tensor(try Meta.cast(t, to: dtype))
    }
}

extension Op {
    /// Batch normalisation over dim 1 of an [N, C, ...] input. Training normalises with the
    /// batch's mean and biased variance, which it also returns (outputs 1 and 2, for the
    /// running statistics); evaluation uses `running_mean` and `running_var` and returns
    /// empty statistics. `batch_norm` is the public operator built on this one.
    public static let nativeBatchNorm = declare(OperatorDefinition(
        "native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float eps) -> (Tensor, Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let x = args.tensor("input")
            guard x.rank >= 2 else {
                throw TorchError(.shapeMismatch, "batch_norm: input must have a channel dimension (N, C, ...), got shape \(describe(shape: x.shape))")
            }
            guard x.dtype.isFloatingPoint else {
                throw TorchError(.dtypeMismatch, "batch_norm: input must be floating point, got \(x.dtype)\(describe(shape: x.shape))")
            }
            let channels = x.shape[1]
            for name in ["weight", "bias", "running_mean", "running_var"] {
                try Normalization.parameter("batch_norm", &args, name, shape: [channels], dtype: x.dtype)
            }
            let training = args.bool("training")
            if training {
                guard x.count / Swift.max(channels, 1) > 1 || x.count == 0 else {
                    throw TorchError(.invalidArgument, "batch_norm: expected more than 1 value per channel when training, got input size \(describe(shape: x.shape))")
                }
            } else if args.optionalTensor("running_mean") == nil || args.optionalTensor("running_var") == nil {
                throw TorchError(.invalidArgument, "batch_norm: running_mean and running_var must be given in evaluation mode (training=False)")
            }
            let statistics = TensorSpec([training ? channels : 0], x.dtype)
            return [TensorSpec(x.shape, x.dtype), statistics, statistics]
        }, derivative: NNGrad.nativeBatchNorm))

    /// `torch.nn.functional.batch_norm`: in training, normalises with the batch's statistics
    /// and moves `running_mean` and `running_var` (in place, when given) towards them by
    /// `momentum`, the variance unbiased as PyTorch does; in evaluation, normalises with them.
    public static let batchNorm = declare(OperatorDefinition(
        "batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight=None, Tensor? bias=None, bool training=False, float momentum=0.1, float eps=1e-05) -> Tensor",
        group: .nn,
        composite: { args in
            let training = args.bool("training")
            let runningMean = args.optionalTensor("running_mean"), runningVar = args.optionalTensor("running_var")
            // Training never reads the running statistics, so they are not passed (nor
            // saved for backward, which their in-place update would invalidate).
            let outputs = try dispatchAll(nativeBatchNorm, [
                .tensor(args.tensor("input")), args["weight"], args["bias"],
                training ? .none : args["running_mean"], training ? .none : args["running_var"],
                .bool(training), .double(args.double("eps")),
            ])
            if training {
                try BatchNormStatistics.update(runningMean: runningMean, runningVar: runningVar, batchMean: outputs[1],
                                               batchVar: outputs[2], momentum: args.double("momentum"),
                                               count: args.tensor("input").count / Swift.max(outputs[1].count, 1))
            }
            return [outputs[0]]
        }))

    /// `torch.nn.functional.layer_norm`: normalises over the trailing `normalized_shape`
    /// dims by their mean and biased variance, then applies the elementwise affine.
    public static let layerNorm = declare(OperatorDefinition(
        "layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05) -> Tensor",
        group: .nn,
        meta: { args in
            let x = args.tensor("input"), normalized = args.ints("normalized_shape")
            guard !normalized.isEmpty, normalized.count <= x.rank, Array(x.shape.suffix(normalized.count)) == normalized else {
                throw TorchError(.shapeMismatch, "layer_norm: normalized_shape \(describe(shape: normalized)) must be non-empty and match the trailing dims of input \(describe(shape: x.shape))")
            }
            guard x.dtype.isFloatingPoint else {
                throw TorchError(.dtypeMismatch, "layer_norm: input must be floating point, got \(x.dtype)\(describe(shape: x.shape))")
            }
            for name in ["weight", "bias"] {
                try Normalization.parameter("layer_norm", &args, name, shape: normalized, dtype: x.dtype)
            }
            return .one(TensorSpec(x.shape, x.dtype))
        }, derivative: NNGrad.layerNorm))
}

/// The running-statistics update of batch normalisation, outside autograd.
enum BatchNormStatistics {
    static func update(runningMean: Tensor?, runningVar: Tensor?, batchMean: Tensor, batchVar: Tensor,
                       momentum: Double, count: Int) throws {
        guard count > 0 else { return } // an empty batch has no statistics to move towards
        try GradMode.withNoGrad {
            if let runningMean {
                try runningMean.copy_(runningMean * (1 - momentum) + batchMean * momentum)
            }
            if let runningVar {
                // Bessel's correction: the running variance estimates the population's.
                let unbiased = count > 1 ? try batchVar * (Double(count) / Double(count - 1)) : batchVar
                try runningVar.copy_(runningVar * (1 - momentum) + unbiased * momentum)
            }
        }
    }
}
