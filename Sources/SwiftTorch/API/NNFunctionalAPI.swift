import SwiftTorchCore

// torch.nn.functional's layers as free functions over the registry's operators.

/// 2-D cross-correlation of an [N, C, H, W] (or [C, H, W]) `input` with a
/// [out_channels, C / groups, kH, kW] `weight`, plus `bias`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: IntOrPair = 1, padding: IntOrPair = 0,
                   dilation: IntOrPair = 1, groups: Int = 1) throws -> Tensor {
    try dispatch(Op.conv2d, [.tensor(input), .tensor(weight), bias.map(ArgumentValue.tensor) ?? .none, .ints(stride.values),
                             .ints(padding.values), .ints(dilation.values), .int(groups)])
}

/// The largest value of each `kernelSize` window, moving by `stride` (the kernel size
/// when nil) over `input` padded with -inf.
public func maxPool2d(_ input: Tensor, kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0,
                      dilation: IntOrPair = 1, ceilMode: Bool = false) throws -> Tensor {
    try dispatch(Op.maxPool2d, [.tensor(input), .ints(kernelSize.values), .ints(stride?.values ?? []), .ints(padding.values),
                                .ints(dilation.values), .bool(ceilMode)])
}

/// ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)`` and, for each output, the
/// flat index `h * W + w` of its maximum within the input plane.
public func maxPool2dWithIndices(_ input: Tensor, kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0,
                                 dilation: IntOrPair = 1, ceilMode: Bool = false) throws -> (values: Tensor, indices: Tensor) {
    let out = try dispatchAll(Op.maxPool2dWithIndices, [.tensor(input), .ints(kernelSize.values), .ints(stride?.values ?? []),
                                                        .ints(padding.values), .ints(dilation.values), .bool(ceilMode)])
    return (out[0], out[1])
}

/// The mean of each `kernelSize` window. `countIncludePad` counts zero padding in the
/// divisor; `divisorOverride` replaces the divisor.
public func avgPool2d(_ input: Tensor, kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0,
                      ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) throws -> Tensor {
    try dispatch(Op.avgPool2d, [.tensor(input), .ints(kernelSize.values), .ints(stride?.values ?? []), .ints(padding.values),
                                .bool(ceilMode), .bool(countIncludePad), divisorOverride.map(ArgumentValue.int) ?? .none])
}

/// Batch normalisation over dim 1 (see ``Op/batchNorm``). In training, `runningMean` and
/// `runningVar` are updated in place.
public func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
                      training: Bool = false, momentum: Double = 0.1, eps: Double = 1e-5) throws -> Tensor {
    try dispatch(Op.batchNorm, [.tensor(input), runningMean.map(ArgumentValue.tensor) ?? .none,
                                runningVar.map(ArgumentValue.tensor) ?? .none, weight.map(ArgumentValue.tensor) ?? .none,
                                bias.map(ArgumentValue.tensor) ?? .none, .bool(training), .double(momentum), .double(eps)])
}

/// Normalises the trailing `normalizedShape` dims of `input`, then scales and shifts them.
public func layerNorm(_ input: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Double = 1e-5) throws -> Tensor {
    try dispatch(Op.layerNorm, [.tensor(input), .ints(normalizedShape), weight.map(ArgumentValue.tensor) ?? .none,
                                bias.map(ArgumentValue.tensor) ?? .none, .double(eps)])
}

/// Rows of `weight` at the integer `indices`; `paddingIdx`'s row gets no gradient.
public func embedding(_ indices: Tensor, weight: Tensor, paddingIdx: Int? = nil) throws -> Tensor {
    try dispatch(Op.embedding, [.tensor(indices), .tensor(weight), paddingIdx.map(ArgumentValue.int) ?? .none])
}

/// One-hot int64 encoding of class indices, with `numClasses` (largest index + 1 when nil).
public func oneHot(_ indices: Tensor, numClasses: Int? = nil) throws -> Tensor {
    try dispatch(Op.oneHot, [.tensor(indices), .int(numClasses ?? -1)])
}

/// Zeroes elements with probability `p` when `training`, scaling survivors by `1 / (1 - p)`.
/// The mask comes from `generator`, so reseeding it reproduces the mask on any backend.
/// Without training (or with `p = 0`) it returns `input` itself, as PyTorch does.
public func dropout(_ input: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator = .default) throws -> Tensor {
    guard training, p > 0 else {
        try DropoutMask.requireProbability(p)
        return input
    }
    return try dispatch(Op.dropout, [.tensor(input), .double(p), .bool(training), .int(DropoutMask.seed(from: generator))])
}
