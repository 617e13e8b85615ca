import SwiftTorchCore

/// The checks and sizes of 2-D pooling. The meta rules store kernel_size, stride (the
/// kernel size when not given, as PyTorch), padding and dilation as two values each.
struct Pool2dGeometry {
    var kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool

    init(_ op: String, _ args: inout Arguments) throws {
        kernel = try WindowGeometry.pair(op, "kernel_size", args.ints("kernel_size"), minimum: 1)
        let givenStride = args.ints("stride")
        stride = givenStride.isEmpty ? kernel : try WindowGeometry.pair(op, "stride", givenStride, minimum: 1)
        padding = try WindowGeometry.pair(op, "padding", args.ints("padding"), minimum: 0)
        let hasDilation = args.schema.arguments.contains { $0.name == "dilation" }
        dilation = hasDilation ? try WindowGeometry.pair(op, "dilation", args.ints("dilation"), minimum: 1) : [1, 1]
        ceilMode = args.bool("ceil_mode")
        if args.schema.arguments.contains(where: { $0.name == "divisor_override" }), args.optionalInt("divisor_override") == 0 {
            throw TorchError(.invalidArgument, "\(op): divisor_override must be non-zero")
        }
        for axis in 0..<2 where padding[axis] > kernel[axis] / 2 {
            throw TorchError(.invalidArgument, "\(op): padding \(padding) should be at most half of the kernel size \(kernel)")
        }
        args["kernel_size"] = .ints(kernel)
        args["stride"] = .ints(stride)
        args["padding"] = .ints(padding)
        if hasDilation { args["dilation"] = .ints(dilation) }
    }

    func outputShape(_ op: String, input: [Int]) throws -> [Int] {
        var out = input
        for axis in 0..<2 {
            let size = input[input.count - 2 + axis]
            let length = try WindowGeometry.outputLength(op, input: size, kernel: kernel[axis], stride: stride[axis], padding: padding[axis],
                                                     dilation: dilation[axis], ceilMode: ceilMode)
            guard length > 0 else {
                throw TorchError(.shapeMismatch, "\(op): output size is too small for input \(describe(shape: input)) with kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation)")
            }
            out[out.count - 2 + axis] = length
        }
        return out
    }
}

extension Op {
    /// Max pooling that also returns where each maximum came from (flat `h * W + w` within
    /// its plane), which its gradient routes to.
    public static let maxPool2dWithIndices = declare(OperatorDefinition(
        "max_pool2d_with_indices(Tensor self, int[] kernel_size, int[] stride=[], int[] padding=[0, 0], int[] dilation=[1, 1], bool ceil_mode=False) -> (Tensor, Tensor)",
        group: .nn,
        meta: { args in
            let x = args.tensor("self")
            try WindowGeometry.requireImage("max_pool2d", x)
            let shape = try Pool2dGeometry("max_pool2d", &args).outputShape("max_pool2d", input: x.shape)
            return [TensorSpec(shape, x.dtype), TensorSpec(shape, .int64)]
        }, derivative: NNGrad.maxPool2d))

    /// The largest value of each window, as `torch.nn.functional.max_pool2d`.
    public static let maxPool2d = declare(OperatorDefinition(
        "max_pool2d(Tensor self, int[] kernel_size, int[] stride=[], int[] padding=[0, 0], int[] dilation=[1, 1], bool ceil_mode=False) -> Tensor",
        group: .nn,
        composite: { args in
            [try Runtime.dispatcher().call(maxPool2dWithIndices, Arguments(schema: maxPool2dWithIndices.schema, values: args.values))[0]]
        }))

    /// The adjoint of max_pool2d: each gradient value added at the input position its
    /// maximum came from (`indices`, from max_pool2d_with_indices); an input of `self`'s
    /// shape, whose elements are not read. As PyTorch's operator of the same name.
    public static let maxPool2dWithIndicesBackward = declare(OperatorDefinition(
        "max_pool2d_with_indices_backward(Tensor grad_output, Tensor self, int[] kernel_size, int[] stride, int[] padding, int[] dilation, bool ceil_mode, Tensor indices) -> Tensor",
        group: .nn,
        meta: { args in
            let grad = args.tensor("grad_output"), x = args.tensor("self"), indices = args.tensor("indices")
            try WindowGeometry.requireImage("max_pool2d_with_indices_backward", x)
            let expected = try Pool2dGeometry("max_pool2d_with_indices_backward", &args).outputShape("max_pool2d_with_indices_backward", input: x.shape)
            guard grad.shape == expected else {
                throw TorchError(.shapeMismatch, "max_pool2d_with_indices_backward: grad_output \(describe(shape: grad.shape)) does not match the pooled shape \(describe(shape: expected)) of self \(describe(shape: x.shape))")
            }
            guard indices.dtype == .int64, indices.shape == expected else {
                throw TorchError(.shapeMismatch, "max_pool2d_with_indices_backward: indices must be int64 of shape \(describe(shape: expected)), got \(indices.dtype) \(describe(shape: indices.shape))")
            }
            guard grad.dtype.isFloatingPoint, x.dtype == grad.dtype else {
                throw TorchError(.dtypeMismatch, "max_pool2d_with_indices_backward: grad_output (\(grad.dtype)) and self (\(x.dtype)) must have one floating-point dtype")
            }
            return .one(TensorSpec(x.shape, grad.dtype))
        }, derivative: NNGrad.maxPool2dWithIndicesBackward))

    /// The mean of each window, as `torch.nn.functional.avg_pool2d`.
    public static let avgPool2d = declare(OperatorDefinition(
        "avg_pool2d(Tensor self, int[] kernel_size, int[] stride=[], int[] padding=[0, 0], bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor",
        group: .nn,
        meta: { args in
            let x = args.tensor("self")
            try WindowGeometry.requireImage("avg_pool2d", x)
            let shape = try Pool2dGeometry("avg_pool2d", &args).outputShape("avg_pool2d", input: x.shape)
            return .one(TensorSpec(shape, x.dtype))
        }, derivative: NNGrad.avgPool2d))

    /// The adjoint of avg_pool2d: each gradient value spread over its window, for an input
    /// of `input_size`.
    public static let avgPool2dBackward = declare(OperatorDefinition(
        "avg_pool2d_backward(Tensor grad_output, int[] input_size, int[] kernel_size, int[] stride=[], int[] padding=[0, 0], bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor",
        group: .nn,
        meta: { args in
            let grad = args.tensor("grad_output"), inputSize = args.ints("input_size")
            guard inputSize.count == 3 || inputSize.count == 4 else {
                throw TorchError(.shapeMismatch, "avg_pool2d_backward: input_size must be 3-D or 4-D, got \(describe(shape: inputSize))")
            }
            try WindowGeometry.requireImage("avg_pool2d_backward", grad, name: "grad_output")
            let expected = try Pool2dGeometry("avg_pool2d_backward", &args).outputShape("avg_pool2d_backward", input: inputSize)
            guard grad.shape == expected else {
                throw TorchError(.shapeMismatch, "avg_pool2d_backward: grad_output \(describe(shape: grad.shape)) does not match the pooled shape \(describe(shape: expected)) of input \(describe(shape: inputSize))")
            }
            return .one(TensorSpec(inputSize, grad.dtype))
        }, derivative: NNGrad.avgPool2dBackward))
}
