import SwiftTorchCore

/// The checks and sizes of a 2-D convolution, shared by conv2d and its two backward
/// operators. The meta rules store stride, padding and dilation as two values each.
struct Conv2dGeometry {
    var stride: [Int], padding: [Int], dilation: [Int], groups: Int

    init(_ op: String, _ args: inout Arguments) throws {
        stride = try WindowGeometry.pair(op, "stride", args.ints("stride"), minimum: 1)
        padding = try WindowGeometry.pair(op, "padding", args.ints("padding"), minimum: 0)
        dilation = try WindowGeometry.pair(op, "dilation", args.ints("dilation"), minimum: 1)
        groups = args.int("groups")
        guard groups >= 1 else {
            throw TorchError(.invalidArgument, "\(op): groups must be positive, got \(groups)")
        }
        args["stride"] = .ints(stride)
        args["padding"] = .ints(padding)
        args["dilation"] = .ints(dilation)
    }

    /// Checks an input shape (3-D unbatched or 4-D) against a weight shape and returns the
    /// output shape, with PyTorch's messages.
    func outputShape(_ op: String, input: [Int], weight: [Int]) throws -> [Int] {
        guard input.count == 3 || input.count == 4 else {
            throw TorchError(.shapeMismatch, "\(op): expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape \(describe(shape: input))")
        }
        guard weight.count == 4 else {
            throw TorchError(.shapeMismatch, "\(op): weight must be 4-D [out_channels, in_channels / groups, kH, kW], got \(describe(shape: weight))")
        }
        let channels = input[input.count - 3]
        guard weight[0] % groups == 0 else {
            throw TorchError(.shapeMismatch, "\(op): out_channels (\(weight[0]), weight \(describe(shape: weight))) must be divisible by groups (\(groups))")
        }
        // groups is the user's: weight[1] * groups may overflow, and then it is no match.
        let (expected, overflow) = weight[1].multipliedReportingOverflow(by: groups)
        guard !overflow, expected == channels else {
            throw TorchError(.shapeMismatch, "\(op): input channels differ from weight: given groups=\(groups), weight of size \(describe(shape: weight)) expects input \(describe(shape: input)) to have \(overflow ? "\(weight[1]) * \(groups)" : "\(expected)") channels, but it has \(channels)")
        }
        var out = input
        out[out.count - 3] = weight[0]
        for axis in 0..<2 {
            let size = input[input.count - 2 + axis]
            let length = try WindowGeometry.outputLength(op, input: size, kernel: weight[2 + axis], stride: stride[axis],
                                                     padding: padding[axis], dilation: dilation[axis])
            guard length > 0 else {
                throw TorchError(.shapeMismatch, "\(op): the kernel \(describe(shape: Array(weight[2...]))) with dilation \(dilation) is larger than the padded input \(describe(shape: Array(input.suffix(2)))) with padding \(padding)")
            }
            out[out.count - 2 + axis] = length
        }
        return out
    }

    /// The tensors of one convolution call must share one floating-point dtype, as PyTorch requires.
    static func requireFloat(_ op: String, _ tensors: [(String, Tensor)]) throws {
        let dtype = tensors[0].1.dtype
        for (name, t) in tensors {
            guard t.dtype.isFloatingPoint, t.dtype == dtype else {
                throw TorchError(.dtypeMismatch, "\(op): \(tensors.map { "\($0.0) \($0.1.dtype)\(describe(shape: $0.1.shape))" }.joined(separator: ", ")) must share one floating-point dtype (\(name) differs)")
            }
        }
    }
}

extension Op {
    /// 2-D cross-correlation over NCHW (or unbatched CHW) images, as `torch.nn.functional.conv2d`.
    public static let conv2d = declare(OperatorDefinition(
        "conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[] stride=[1, 1], int[] padding=[0, 0], int[] dilation=[1, 1], int groups=1) -> Tensor",
        group: .nn,
        meta: { args in
            let input = args.tensor("input"), weight = args.tensor("weight")
            var checked = [("input", input), ("weight", weight)]
            if let bias = args.optionalTensor("bias") {
                guard bias.rank == 1, bias.count == weight.shape.first ?? -1 else {
                    throw TorchError(.shapeMismatch, "conv2d: bias must be 1-D with out_channels (\(weight.shape.first ?? 0)) entries, got \(describe(shape: bias.shape))")
                }
                checked.append(("bias", bias))
            }
            try Conv2dGeometry.requireFloat("conv2d", checked)
            let geometry = try Conv2dGeometry("conv2d", &args)
            return .one(TensorSpec(try geometry.outputShape("conv2d", input: input.shape, weight: weight.shape), input.dtype))
        }, derivative: NNGrad.conv2d))

    /// The gradient of conv2d with respect to its input (a transposed convolution of
    /// `grad_output` with `weight`), for an input of `input_size`.
    public static let conv2dBackwardInput = declare(OperatorDefinition(
        "conv2d_backward_input(Tensor grad_output, Tensor weight, int[] input_size, int[] stride=[1, 1], int[] padding=[0, 0], int[] dilation=[1, 1], int groups=1) -> Tensor",
        group: .nn,
        meta: { args in
            let grad = args.tensor("grad_output"), weight = args.tensor("weight")
            try Conv2dGeometry.requireFloat("conv2d_backward_input", [("grad_output", grad), ("weight", weight)])
            let geometry = try Conv2dGeometry("conv2d_backward_input", &args)
            let inputSize = args.ints("input_size")
            let expected = try geometry.outputShape("conv2d_backward_input", input: inputSize, weight: weight.shape)
            guard grad.shape == expected else {
                throw TorchError(.shapeMismatch, "conv2d_backward_input: grad_output \(describe(shape: grad.shape)) does not match the convolution's output \(describe(shape: expected)) for input \(describe(shape: inputSize))")
            }
            return .one(TensorSpec(inputSize, grad.dtype))
        }, derivative: NNGrad.conv2dBackwardInput))

    /// The gradient of conv2d with respect to its weight (of `weight_size`), summed over the batch.
    public static let conv2dBackwardWeight = declare(OperatorDefinition(
        "conv2d_backward_weight(Tensor grad_output, Tensor input, int[] weight_size, int[] stride=[1, 1], int[] padding=[0, 0], int[] dilation=[1, 1], int groups=1) -> Tensor",
        group: .nn,
        meta: { args in
            let grad = args.tensor("grad_output"), input = args.tensor("input")
            try Conv2dGeometry.requireFloat("conv2d_backward_weight", [("grad_output", grad), ("input", input)])
            let geometry = try Conv2dGeometry("conv2d_backward_weight", &args)
            let weightSize = args.ints("weight_size")
            let expected = try geometry.outputShape("conv2d_backward_weight", input: input.shape, weight: weightSize)
            guard grad.shape == expected else {
                throw TorchError(.shapeMismatch, "conv2d_backward_weight: grad_output \(describe(shape: grad.shape)) does not match the convolution's output \(describe(shape: expected)) for input \(describe(shape: input.shape))")
            }
            return .one(TensorSpec(weightSize, grad.dtype))
        }, derivative: NNGrad.conv2dBackwardWeight))
}
