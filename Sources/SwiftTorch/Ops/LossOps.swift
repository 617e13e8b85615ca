import SwiftTorchCore

enum Loss {
    static func reduction(_ op: String, _ args: Arguments) throws -> String {
        let r = args.string("reduction")
        guard ["none", "mean", "sum"].contains(r) else {
            throw TorchError(.invalidArgument, "\(op): reduction must be \"none\", \"mean\" or \"sum\", not \"\(r)\"")
        }
        return r
    }

    /// Checks logits/log-probabilities against class-index or probability targets, as
    /// `cross_entropy` and `nll_loss` accept them, and returns the unreduced output shape.
    static func classification(_ op: String, _ args: inout Arguments, allowProbabilities: Bool) throws -> [Int] {
        let input = args.tensor("self"), target = args.tensor("target")
        guard input.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(op): input must be floating point, got \(input.dtype)\(describe(shape: input.shape))")
        }
        guard input.rank >= 1 else {
            throw TorchError(.shapeMismatch, "\(op): input must have a class dimension, got a 0-d tensor")
        }
        let classDim = input.rank == 1 ? 0 : 1
        let classes = input.shape[classDim]
        var reducedShape = input.shape
        reducedShape.remove(at: classDim)
        if let w = args.optionalTensor("weight") {
            guard w.rank == 1, w.shape[0] == classes else {
                throw TorchError(.shapeMismatch, "\(op): weight must be 1-D with \(classes) entries, got \(describe(shape: w.shape))")
            }
            args["weight"] = .tensor(try Meta.cast(w, to: input.dtype))
        }
        if target.dtype.isFloatingPoint {
            guard allowProbabilities, target.shape == input.shape else {
                throw TorchError(.shapeMismatch, "\(op): \(allowProbabilities ? "probability targets must have the input's shape" : "target must hold class indices (int64)"); input \(input.dtype)\(describe(shape: input.shape)), target \(target.dtype)\(describe(shape: target.shape))")
            }
            args["target"] = .tensor(try Meta.cast(target, to: input.dtype))
            return reducedShape
        }
        guard target.dtype.isInteger else {
            throw TorchError(.dtypeMismatch, "\(op): target must be int64 class indices\(allowProbabilities ? " or float probabilities" : ""), got \(target.dtype)")
        }
        guard target.shape == reducedShape else {
            throw TorchError(.shapeMismatch, "\(op): target shape \(describe(shape: target.shape)) does not match input \(describe(shape: input.shape)) without its class dimension (\(describe(shape: reducedShape)))")
        }
        if target.device.isCPU {
            let ignore = Int64(args.int("ignore_index"))
            for c in target.int64Values() where c != ignore && (c < 0 || c >= Int64(classes)) {
                throw TorchError(.indexOutOfRange, "\(op): target class \(c) is out of range for \(classes) classes (input \(describe(shape: input.shape)))")
            }
        }
        args["target"] = .tensor(try Meta.cast(target, to: .int64))
        return reducedShape
    }

    static func output(_ shape: [Int], _ reduction: String, _ dtype: DType) -> OutputSpecs {
        [TensorSpec(reduction == "none" ? shape : [], dtype)]
    }
}

extension Op {
    /// The `mse_loss(Tensor self, Tensor target, str reduction="mean") -> Tensor` operator.
    public static let mseLoss = declare(OperatorDefinition(
        "mse_loss(Tensor self, Tensor target, str reduction=\"mean\") -> Tensor", group: .loss,
        meta: { args in
            let reduction = try Loss.reduction("mse_loss", args)
            let spec = try Meta.elementwise("mse_loss", &args, ["self", "target"], compute: Meta.floatCompute)
            return Loss.output(spec[0].shape, reduction, spec[0].dtype)
        }, derivative: LossGrad.mse))
    /// Class indices (with `ignore_index`) or class probabilities, optional class weights and
    /// label smoothing. Computed from `log_softmax`, so logits of 1e4 stay finite.
    public static let crossEntropy = declare(OperatorDefinition(
        "cross_entropy(Tensor self, Tensor target, Tensor? weight=None, str reduction=\"mean\", int ignore_index=-100, float label_smoothing=0.0) -> Tensor",
        group: .loss,
        meta: { args in
            let reduction = try Loss.reduction("cross_entropy", args)
            let smoothing = args.double("label_smoothing")
            guard smoothing >= 0, smoothing <= 1 else {
                throw TorchError(.invalidArgument, "cross_entropy: label_smoothing must be in [0, 1], got \(smoothing)")
            }
            let shape = try Loss.classification("cross_entropy", &args, allowProbabilities: true)
            return Loss.output(shape, reduction, args.tensor("self").dtype)
        }, derivative: LossGrad.crossEntropy))
    /// The `nll_loss(Tensor self, Tensor target, Tensor? weight=None, str reduction="mean", int
    /// ignore_index=-100) -> Tensor` operator.
    public static let nllLoss = declare(OperatorDefinition(
        "nll_loss(Tensor self, Tensor target, Tensor? weight=None, str reduction=\"mean\", int ignore_index=-100) -> Tensor",
        group: .loss,
        meta: { args in
            let reduction = try Loss.reduction("nll_loss", args)
            let shape = try Loss.classification("nll_loss", &args, allowProbabilities: false)
            return Loss.output(shape, reduction, args.tensor("self").dtype)
        }, derivative: LossGrad.nll))
    /// The `binary_cross_entropy_with_logits(Tensor self, Tensor target, Tensor? weight=None,
    /// Tensor? pos_weight=None, str reduction="mean") -> Tensor` operator.
    public static let binaryCrossEntropyWithLogits = declare(OperatorDefinition(
        "binary_cross_entropy_with_logits(Tensor self, Tensor target, Tensor? weight=None, Tensor? pos_weight=None, str reduction=\"mean\") -> Tensor",
        group: .loss,
        meta: { args in
            let reduction = try Loss.reduction("binary_cross_entropy_with_logits", args)
            let input = args.tensor("self"), target = args.tensor("target")
            guard input.shape == target.shape else {
                throw TorchError(.shapeMismatch, "binary_cross_entropy_with_logits: target size \(describe(shape: target.shape)) must be the same as input size \(describe(shape: input.shape))")
            }
            let spec = try Meta.elementwise("binary_cross_entropy_with_logits", &args, ["self", "target"], compute: Meta.floatCompute)
            for name in ["weight", "pos_weight"] {
                if let w = args.optionalTensor(name) {
                    guard (try? Meta.broadcastShape("binary_cross_entropy_with_logits", [w.shape, spec[0].shape])) == spec[0].shape else {
                        throw TorchError(.shapeMismatch, "binary_cross_entropy_with_logits: \(name) of shape \(describe(shape: w.shape)) does not broadcast to input \(describe(shape: input.shape))")
                    }
                    args[name] = .tensor(Meta.broadcastView(try Meta.cast(w, to: spec[0].dtype), to: spec[0].shape))
                }
            }
            return Loss.output(spec[0].shape, reduction, spec[0].dtype)
        }, derivative: LossGrad.bceWithLogits))

    static let lossFamily = [mseLoss, crossEntropy, nllLoss, binaryCrossEntropyWithLogits]
}
