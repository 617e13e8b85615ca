import SwiftTorchCore

// Elementwise operators: the meta rules broadcast and promote, so kernels receive inputs of
// one dtype already broadcast (stride 0) to the output's shape.

/// How a unary operator treats its input dtype.
enum UnaryDTypeRule {
    /// Any dtype; the output has the input's dtype (abs, floor, relu).
    case keep
    /// Any dtype but bool (neg, abs).
    case numeric
    /// Integers and bool compute as the default float type (exp, sin, sigmoid).
    case float
}

func unaryMeta(_ name: String, _ rule: UnaryDTypeRule) -> MetaFunction {
    let input = ArgumentName("self")
    return { args in
        let t = args.tensor(input)
        let dtype: DType
        switch rule {
        case .keep: dtype = t.dtype
        case .numeric: dtype = try Meta.numeric(name)(t.dtype)
        case .float: dtype = Meta.floatCompute(t.dtype)
        }
        args[input] = .tensor(try Meta.cast(t, to: dtype))
        return .one(TensorSpec(t.shape, dtype))
    }
}

func unary(_ name: String, _ rule: UnaryDTypeRule, derivative: Derivative? = nil) -> OperatorHandle {
    declare(OperatorDefinition("\(name)(Tensor self) -> Tensor", group: .elementwise,
                               meta: unaryMeta(name, rule), derivative: derivative))
}

func binary(_ declaration: String, _ name: String, compute: @escaping @Sendable (DType) throws -> DType = { $0 },
            output: @escaping @Sendable (DType) -> DType = { $0 }, derivative: Derivative? = nil) -> OperatorHandle {
    let first = ArgumentName("self"), second = ArgumentName("other")
    return declare(OperatorDefinition(declaration, group: .elementwise, meta: { args in
        try Meta.elementwise(name, &args, first, second, compute: compute, output: output)
    }, derivative: derivative))
}

extension Op {
    /// The `add(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor` operator.
    public static let add = binary("add(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", "add", derivative: ElementwiseGrad.add)
    /// The `sub(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor` operator.
    public static let sub = binary("sub(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor", "sub",
                                   compute: ElementwiseRules.subtraction("sub"), derivative: ElementwiseGrad.sub)
    /// The `mul(Tensor self, Tensor other) -> Tensor` operator.
    public static let mul = binary("mul(Tensor self, Tensor other) -> Tensor", "mul", derivative: ElementwiseGrad.mul)
    /// The `div(Tensor self, Tensor other, *, str? rounding_mode=None) -> Tensor` operator.
    public static let div = declare(OperatorDefinition(
        "div(Tensor self, Tensor other, *, str? rounding_mode=None) -> Tensor", group: .elementwise,
        meta: { args in
            try Meta.elementwise("div", &args, ["self", "other"], compute: ElementwiseRules.division("div", args))
        }, derivative: ElementwiseGrad.div))
    /// The `pow(Tensor self, Tensor exponent) -> Tensor` operator.
    public static let pow = declare(OperatorDefinition(
        "pow(Tensor self, Tensor exponent) -> Tensor", group: .elementwise,
        meta: { args in try Meta.elementwise("pow", &args, ["self", "exponent"], compute: Meta.numeric("pow")) },
        derivative: ElementwiseGrad.pow))
    /// The `maximum(Tensor self, Tensor other) -> Tensor` operator.
    public static let maximum = binary("maximum(Tensor self, Tensor other) -> Tensor", "maximum", derivative: ElementwiseGrad.extremum { try $0.gt($1) })
    /// The `minimum(Tensor self, Tensor other) -> Tensor` operator.
    public static let minimum = binary("minimum(Tensor self, Tensor other) -> Tensor", "minimum", derivative: ElementwiseGrad.extremum { try $0.lt($1) })
    /// The `eq(Tensor self, Tensor other) -> Tensor` operator.
    public static let eq = binary("eq(Tensor self, Tensor other) -> Tensor", "eq", output: { _ in .bool })
    /// The `ne(Tensor self, Tensor other) -> Tensor` operator.
    public static let ne = binary("ne(Tensor self, Tensor other) -> Tensor", "ne", output: { _ in .bool })
    /// The `lt(Tensor self, Tensor other) -> Tensor` operator.
    public static let lt = binary("lt(Tensor self, Tensor other) -> Tensor", "lt", output: { _ in .bool })
    /// The `le(Tensor self, Tensor other) -> Tensor` operator.
    public static let le = binary("le(Tensor self, Tensor other) -> Tensor", "le", output: { _ in .bool })
    /// The `gt(Tensor self, Tensor other) -> Tensor` operator.
    public static let gt = binary("gt(Tensor self, Tensor other) -> Tensor", "gt", output: { _ in .bool })
    /// The `ge(Tensor self, Tensor other) -> Tensor` operator.
    public static let ge = binary("ge(Tensor self, Tensor other) -> Tensor", "ge", output: { _ in .bool })
    /// The `where(Tensor condition, Tensor self, Tensor other) -> Tensor` operator.
    public static let `where` = declare(OperatorDefinition(
        "where(Tensor condition, Tensor self, Tensor other) -> Tensor", group: .elementwise,
        meta: { args in
            let condition = args.tensor("condition")
            guard condition.dtype == .bool else {
                throw TorchError(.dtypeMismatch, "where: condition must be a bool tensor, got \(condition.dtype)\(describe(shape: condition.shape))")
            }
            let spec = try Meta.elementwise("where", &args, ["self", "other"])
            let shape = try Meta.broadcastShape("where", [condition.shape, spec[0].shape])
            for name in ["condition", "self", "other"] {
                args[name] = .tensor(Meta.broadcastView(args.tensor(name), to: shape))
            }
            return [TensorSpec(shape, spec[0].dtype)]
        }, derivative: ElementwiseGrad.where))

    /// The `neg(Tensor self) -> Tensor` operator, elementwise (`torch.neg`).
    public static let neg = unary("neg", .numeric, derivative: ElementwiseGrad.neg)
    /// The `abs(Tensor self) -> Tensor` operator, elementwise (`torch.abs`).
    public static let abs = unary("abs", .numeric, derivative: ElementwiseGrad.abs)
    /// The `exp(Tensor self) -> Tensor` operator, elementwise (`torch.exp`).
    public static let exp = unary("exp", .float, derivative: ElementwiseGrad.exp)
    /// The `log(Tensor self) -> Tensor` operator, elementwise (`torch.log`).
    public static let log = unary("log", .float, derivative: ElementwiseGrad.log)
    /// The `sqrt(Tensor self) -> Tensor` operator, elementwise (`torch.sqrt`).
    public static let sqrt = unary("sqrt", .float, derivative: ElementwiseGrad.sqrt)
    /// The `rsqrt(Tensor self) -> Tensor` operator, elementwise (`torch.rsqrt`).
    public static let rsqrt = unary("rsqrt", .float, derivative: ElementwiseGrad.rsqrt)
    /// The `sin(Tensor self) -> Tensor` operator, elementwise (`torch.sin`).
    public static let sin = unary("sin", .float, derivative: ElementwiseGrad.sin)
    /// The `cos(Tensor self) -> Tensor` operator, elementwise (`torch.cos`).
    public static let cos = unary("cos", .float, derivative: ElementwiseGrad.cos)
    /// The `tanh(Tensor self) -> Tensor` operator, elementwise (`torch.tanh`).
    public static let tanh = unary("tanh", .float, derivative: ElementwiseGrad.tanh)
    /// The `sigmoid(Tensor self) -> Tensor` operator, elementwise (`torch.sigmoid`).
    public static let sigmoid = unary("sigmoid", .float, derivative: ElementwiseGrad.sigmoid)
    /// The `relu(Tensor self) -> Tensor` operator, elementwise (`torch.relu`).
    public static let relu = unary("relu", .keep, derivative: ElementwiseGrad.relu)
    /// The `silu(Tensor self) -> Tensor` operator, elementwise (`torch.silu`).
    public static let silu = unary("silu", .float, derivative: ElementwiseGrad.silu)
    /// The `sign(Tensor self) -> Tensor` operator, elementwise (`torch.sign`).
    public static let sign = unary("sign", .keep, derivative: ElementwiseGrad.zero)
    /// The `floor(Tensor self) -> Tensor` operator, elementwise (`torch.floor`).
    public static let floor = unary("floor", .keep, derivative: ElementwiseGrad.zero)
    /// The `ceil(Tensor self) -> Tensor` operator, elementwise (`torch.ceil`).
    public static let ceil = unary("ceil", .keep, derivative: ElementwiseGrad.zero)
    /// The `round(Tensor self) -> Tensor` operator, elementwise (`torch.round`).
    public static let round = unary("round", .keep, derivative: ElementwiseGrad.zero)
    /// The `reciprocal(Tensor self) -> Tensor` operator, elementwise (`torch.reciprocal`).
    public static let reciprocal = unary("reciprocal", .float, derivative: ElementwiseGrad.reciprocal)
    /// The `log1p(Tensor self) -> Tensor` operator, elementwise (`torch.log1p`).
    public static let log1p = unary("log1p", .float, derivative: ElementwiseGrad.log1p)
    /// The `expm1(Tensor self) -> Tensor` operator, elementwise (`torch.expm1`).
    public static let expm1 = unary("expm1", .float, derivative: ElementwiseGrad.expm1)
    /// The `erf(Tensor self) -> Tensor` operator, elementwise (`torch.erf`).
    public static let erf = unary("erf", .float, derivative: ElementwiseGrad.erf)
    /// The `square(Tensor self) -> Tensor` operator, elementwise (`torch.square`).
    public static let square = unary("square", .keep, derivative: ElementwiseGrad.square)
    /// The `gelu(Tensor self, *, str approximate="none") -> Tensor` operator.
    public static let gelu = declare(OperatorDefinition(
        "gelu(Tensor self, *, str approximate=\"none\") -> Tensor", group: .elementwise,
        meta: { args in
            let mode = args.string("approximate")
            guard mode == "none" || mode == "tanh" else {
                throw TorchError(.invalidArgument, "gelu: approximate must be \"none\" or \"tanh\", not \"\(mode)\"")
            }
            return try unaryMeta("gelu", .float)(&args)
        }, derivative: ElementwiseGrad.gelu))
    /// The `softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor` operator.
    public static let softplus = declare(OperatorDefinition(
        "softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor", group: .elementwise,
        meta: unaryMeta("softplus", .float), derivative: ElementwiseGrad.softplus))
    /// The `clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor` operator.
    public static let clamp = declare(OperatorDefinition(
        "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor", group: .elementwise,
        meta: { args in
            let t = args.tensor("self")
            let dtype = try Meta.numeric("clamp")(Meta.resultType([t] + ElementwiseRules.clampBounds("clamp", args)))
            args["self"] = .tensor(try Meta.cast(t, to: dtype))
            return .one(TensorSpec(t.shape, dtype))
        }, derivative: ElementwiseGrad.clamp))

    static let elementwiseFamily = [
        add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, `where`,
        neg, abs, exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu, gelu, silu, softplus,
        sign, floor, ceil, round, reciprocal, log1p, expm1, erf, square, clamp,
    ]
}

/// Dtype rules that an operator and its in-place variant share.
enum ElementwiseRules {
    /// PyTorch refuses `-` on bool tensors.
    static func subtraction(_ op: String) -> @Sendable (DType) throws -> DType {
        { d in
            if d == .bool { throw TorchError(.dtypeMismatch, "\(op): subtracting bool tensors is not supported; use logical operations or convert to int64") }
            return d
        }
    }

    /// Checks div's `rounding_mode`. True division of integers gives the default float
    /// type; rounded division keeps them.
    static func division(_ op: String, _ args: Arguments) throws -> (DType) throws -> DType {
        let mode = args.optionalString("rounding_mode")
        guard mode == nil || mode == "trunc" || mode == "floor" else {
            throw TorchError(.invalidArgument, "\(op): rounding_mode must be nil, \"trunc\" or \"floor\", not \"\(mode!)\"")
        }
        return mode == nil ? Meta.floatCompute : Meta.numeric(op)
    }

    /// clamp's given bounds as wrapped numbers (they promote like Swift numbers).
    static func clampBounds(_ op: String, _ args: Arguments) throws -> [Tensor] {
        let bounds = ["min", "max"].compactMap { name -> Tensor? in
            if case .none = args[name] { return nil }
            return Tensor.wrappedNumber(args[name])
        }
        if bounds.isEmpty { throw TorchError(.invalidArgument, "\(op): at least one of min and max must be given") }
        return bounds
    }
}
