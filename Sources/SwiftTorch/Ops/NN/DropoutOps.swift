import SwiftTorchCore

/// What the dropout operators and the Swift API share: the range check of `p` and the
/// seed a mask is made from.
enum DropoutMask {
    static func requireProbability(_ p: Double) throws {
        guard p >= 0, p <= 1 else {
            throw TorchError(.invalidArgument, "dropout: probability has to be between 0 and 1, but got \(p)")
        }
    }

    /// A fresh mask seed (the operators' `int` argument) drawn from `generator`.
    static func seed(from generator: Generator) -> Int { Int(bitPattern: UInt(generator.next(1)[0])) }
}

extension Op {
    /// `input * mask / (1 - p)` where the mask keeps each element with probability `1 - p`.
    /// The mask is a pure function of `seed` and the element's position (see
    /// `omp_nn.h`), so every backend and thread count draws the same one, and the gradient
    /// reapplies it by calling this operator again with the same seed.
    public static let nativeDropout = declare(OperatorDefinition(
        "native_dropout(Tensor input, float p, int seed) -> Tensor", group: .nn,
        meta: { args in
            let x = args.tensor("input"), p = args.double("p")
            try DropoutMask.requireProbability(p)
            guard x.dtype.isFloatingPoint else {
                throw TorchError(.dtypeMismatch, "dropout: input must be floating point, got \(x.dtype)\(describe(shape: x.shape))")
            }
            return .one(TensorSpec(x.shape, x.dtype))
        }, derivative: NNGrad.nativeDropout))

    /// `torch.nn.functional.dropout`: zeroes elements with probability `p` while training and
    /// scales the rest by `1 / (1 - p)`; the identity when not training. `seed` fixes the
    /// mask; without one it is drawn from the default ``Generator``.
    public static let dropout = declare(OperatorDefinition(
        "dropout(Tensor input, float p=0.5, bool training=True, int? seed=None) -> Tensor", group: .nn,
        composite: { args in
            let p = args.double("p")
            try DropoutMask.requireProbability(p)
            let active = args.bool("training") && p > 0
            let seed = args.optionalInt("seed") ?? (active ? DropoutMask.seed(from: .default) : 0)
            return [try dispatch(nativeDropout, [.tensor(args.tensor("input")), .double(active ? p : 0), .int(seed)])]
        }))
}
