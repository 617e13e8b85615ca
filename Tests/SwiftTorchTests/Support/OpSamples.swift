import SwiftTorch
import SwiftTorchCore

/// One call of an operator: arguments bound by keyword, as the conformance runner does.
struct OpSample {
    let label: String
    let keywords: [(String, ArgumentValue)]
    /// The most terms any output element sums (for the reduction tolerance).
    let terms: Int
}

/// OpInfo-style sample inputs, derived from an operator's group and schema: broadcasting
/// shapes (size-1 and size-0 dims), 0-d tensors, non-contiguous views (transposed, stepped,
/// expanded, strided with NaN in the skipped slots), special values, and sizes that straddle
/// vector widths and block sizes. An operator of a known family is covered with no new code;
/// one this file cannot describe makes the tests that use it fail, naming the operator.
struct OpSamples {
    let dtype: DType
    /// Small, smooth inputs for finite differences instead of the full sweep.
    let forGradcheck: Bool
    private let generator = Generator(seed: 2024)

    static let sweepSizes = [1, 7, 8, 9, 63, 64, 65, 1025]

    // MARK: Tensors

    func randn(_ shape: [Int], scale: Double = 1) throws -> Tensor {
        let values = generator.normal(shape.reduce(1, *)).map { $0 * scale }
        return try Tensor(values, shape: shape, dtype: dtype)
    }
    func uniform(_ shape: [Int], _ low: Double, _ high: Double) throws -> Tensor {
        try Tensor(generator.uniform(shape.reduce(1, *)).map { low + (high - low) * $0 }, shape: shape, dtype: dtype)
    }
    func indices(_ shape: [Int], below n: Int) throws -> Tensor {
        try Tensor(generator.integers(shape.reduce(1, *), low: 0, high: Int64(n)), shape: shape, dtype: .int64)
    }
    /// Values with ±0, ±inf, NaN and large magnitudes mixed in.
    func specials(_ count: Int) throws -> Tensor {
        let special: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1e30, -1e30, 3.5, -2.25]
        let values = (0..<count).map { i in i < special.count ? special[i] : generator.normal(1)[0] }
        return try Tensor(values, shape: [count], dtype: dtype)
    }
    func transposed(_ rows: Int, _ cols: Int) throws -> Tensor { try randn([cols, rows]).t() }
    func expanded(_ rows: Int, _ cols: Int) throws -> Tensor { try randn([1, cols]).expand([rows, cols]) }
    /// Every second element of a storage whose skipped slots hold NaN: a kernel that ignores
    /// strides produces NaN.
    func stepped(_ n: Int) throws -> Tensor {
        let values = generator.normal(n)
        var storage = [Double](repeating: .nan, count: 2 * n)
        for i in 0..<n { storage[2 * i] = values[i] }
        return try Tensor(storage, shape: [2 * n], dtype: dtype).slice(dim: 0, step: 2)
    }

    /// Operand shapes for unary elementwise operators.
    func unaryInputs() throws -> [(String, Tensor)] {
        if forGradcheck { return [("vector", try randn([5])), ("matrix-t", try transposed(3, 2)), ("0d", try randn([]))] }
        var inputs: [(String, Tensor)] = try OpSamples.sweepSizes.map { ("size-\($0)", try randn([$0], scale: 2)) }
        inputs += [("0d", try randn([])), ("empty", try randn([0, 3])), ("transposed", try transposed(9, 65)),
                   ("expanded", try expanded(7, 9)), ("stepped-nan-gaps", try stepped(65)), ("specials", try specials(17))]
        return inputs
    }

    /// Operand pairs for binary elementwise operators, broadcasting included.
    func binaryInputs() throws -> [(String, Tensor, Tensor)] {
        if forGradcheck {
            return [("same", try randn([2, 3]), try randn([2, 3])), ("broadcast", try randn([2, 3]), try randn([3])),
                    ("0d", try randn([2]), try randn([]))]
        }
        var pairs: [(String, Tensor, Tensor)] = try OpSamples.sweepSizes.map { ("size-\($0)", try randn([$0]), try randn([$0])) }
        pairs += [
            ("row-broadcast", try randn([7, 65]), try randn([65])), ("outer", try randn([9, 1]), try randn([1, 63])),
            ("size0", try randn([0, 4]), try randn([4])), ("0d-right", try randn([8, 3]), try randn([])),
            ("0d-both", try randn([]), try randn([])), ("transposed", try transposed(9, 64), try randn([9, 64])),
            ("expanded", try expanded(8, 9), try transposed(8, 9)), ("stepped", try stepped(65), try stepped(65)),
            ("specials", try specials(17), try specials(17).flip()),
        ]
        return pairs
    }

    /// Reduction inputs with the `dim` choices to try.
    func reductionInputs() throws -> [(String, Tensor, [Int]?)] {
        if forGradcheck { return [("all", try randn([2, 3]), nil), ("dim1", try randn([2, 3]), [1]), ("0d", try randn([]), nil)] }
        return [
            ("all-1025", try randn([1025]), nil), ("dim0", try randn([65, 9]), [0]), ("dim-1", try randn([7, 63]), [-1]),
            ("dims02", try randn([3, 4, 5]), [0, 2]), ("transposed", try transposed(64, 9), [1]),
            ("stepped", try stepped(65), [0]), ("specials", try specials(17), nil), ("0d", try randn([]), nil),
            ("empty-kept", try randn([0, 4]), [1]),
        ]
    }
}

extension Tensor {
    /// The elements in reverse order (1-D), for test data.
    func flip() throws -> Tensor { try Tensor(Array(toArray(of: Double.self).reversed()), shape: shape, dtype: dtype) }
}
