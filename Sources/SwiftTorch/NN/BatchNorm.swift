import SwiftTorchCore

/// Batch normalisation over the channel dim, the shared body of ``BatchNorm1d`` and
/// ``BatchNorm2d`` (PyTorch's `_BatchNorm`).
///
/// Training normalises with the batch's statistics and moves `running_mean` and
/// `running_var` towards them by `momentum` (or by a cumulative average when `momentum` is
/// nil); evaluation normalises with the running statistics. `weight` starts at ones and
/// `bias` at zeros; `running_mean`, `running_var` and `num_batches_tracked` are buffers.
open class BatchNorm: Module, UnaryLayer {
    /// The number of channels, `C`.
    public let numFeatures: Int
    /// Added to the variance before its square root, for stability.
    public let eps: Double
    /// The running statistics' update factor; nil averages over all batches seen.
    public let momentum: Double?
    /// Whether the layer has a learnable scale and shift.
    public let affine: Bool
    /// Whether the layer keeps running statistics for evaluation.
    public let trackRunningStats: Bool
    /// `[numFeatures]` scale, nil without the affine transform.
    @Parameter public var weight: Tensor?
    /// `[numFeatures]` shift, nil without the affine transform.
    @Parameter public var bias: Tensor?
    /// `[numFeatures]` running mean (`running_mean`), nil when running statistics are off.
    @Buffer public var runningMean: Tensor?
    /// `[numFeatures]` running variance (`running_var`), nil when running statistics are off.
    @Buffer public var runningVar: Tensor?
    /// How many training batches have updated the running statistics (int64, 0-d).
    @Buffer public var numBatchesTracked: Tensor?

    /// Batch normalisation of `numFeatures` channels. A non-positive count, or memory that
    /// cannot be had, is thrown by the first forward call.
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .defaultFloat, device: Device? = nil) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        let name = "\(Self.self)"
        let made = LayerTensors(name) { () throws -> [Tensor?] in
            guard numFeatures > 0 else {
                throw TorchError(.invalidArgument, "\(name): num_features must be positive, got \(numFeatures)")
            }
            return [
                affine ? try Tensor.ones([numFeatures], dtype: dtype, device: device) : nil,
                affine ? try Tensor.zeros([numFeatures], dtype: dtype, device: device) : nil,
                trackRunningStats ? try Tensor.zeros([numFeatures], dtype: dtype, device: device) : nil,
                trackRunningStats ? try Tensor.ones([numFeatures], dtype: dtype, device: device) : nil,
                trackRunningStats ? try Tensor.zeros([], dtype: .int64, device: device) : nil,
            ]
        }
        // Without its tensors the layer keeps the optional ones unset; its forward call throws.
        let tensors = made.value ?? [nil, nil, nil, nil, nil]
        self.weight = tensors[0]
        self.bias = tensors[1]
        self.runningMean = tensors[2]
        self.runningVar = tensors[3]
        self.numBatchesTracked = tensors[4]
        super.init()
        constructionError = made.error
    }

    /// `16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True`, as
    /// PyTorch prints it.
    public override var extraRepr: String {
        "\(numFeatures), eps=\(eps), momentum=\(PythonLiteral.optional(momentum)), affine=\(PythonLiteral.bool(affine)), "
            + "bias=\(PythonLiteral.bool(bias != nil)), track_running_stats=\(PythonLiteral.bool(trackRunningStats))"
    }

    /// The input ranks this layer accepts; subclasses narrow them.
    open var acceptedRanks: [Int] { [2, 3, 4] }

    /// Normalises `x` with the batch's statistics in training, the running ones in evaluation.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try throwConstructionError()
        guard acceptedRanks.contains(x.rank) else {
            throw TorchError(.shapeMismatch, "\(Self.self): expected a \(acceptedRanks.map { "\($0)-D" }.joined(separator: " or ")) input, got shape \(describe(shape: x.shape))")
        }
        var factor = momentum ?? 0
        if isTraining, let count = numBatchesTracked {
            try withNoGrad { try count.copy_(count + 1) }
            if momentum == nil { factor = 1 / (try count.item(Double.self)) }
        }
        // Without running statistics, evaluation also uses the batch's, as PyTorch does.
        let useBatchStatistics = isTraining || runningMean == nil
        return try batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             training: useBatchStatistics, momentum: factor, eps: eps)
    }
}

/// Batch normalisation of [N, C] or [N, C, L] inputs, as PyTorch's `nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    /// 2 and 3: [N, C] and [N, C, L].
    public override var acceptedRanks: [Int] { [2, 3] }
}

/// Batch normalisation of [N, C, H, W] images, as PyTorch's `nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    /// 4: [N, C, H, W].
    public override var acceptedRanks: [Int] { [4] }
}
