import Foundation
import SwiftTorch
import SwiftTorchCore
import Testing

// scaled_dot_product_attention: the fused kernels against the composite of existing
// operators (matmul, masking, softmax, matmul), forward and backward, on every CPU
// backend; the dropout mask; fully masked rows; and the errors PyTorch raises.

private struct AttentionInputs {
    let q: Tensor, k: Tensor, v: Tensor
    init(_ q: [Int], _ k: [Int], _ v: [Int], dtype: DType = .float32, seed: UInt64) throws {
        let g = Generator(seed: seed)
        (self.q, self.k, self.v) = (try Tensor.randn(q, dtype: dtype, generator: g).requiringGrad(),
                                    try Tensor.randn(k, dtype: dtype, generator: g).requiringGrad(),
                                    try Tensor.randn(v, dtype: dtype, generator: g).requiringGrad())
    }
}

/// softmax(q kᵀ scale + mask) v with existing operators: the test oracle.
private func compositeAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor? = nil, causal: Bool = false,
                                scale: Double? = nil, dropout: ((Tensor) throws -> Tensor)? = nil) throws -> Tensor {
    var scores = try q.matmul(k.transpose(-2, -1)) * (scale ?? 1 / Double(q.shape[q.rank - 1]).squareRoot())
    if let mask {
        scores = mask.dtype == .bool ? try scores.maskedFill(mask.eq(0.0), value: -Double.infinity) : try scores + mask
    }
    if causal {
        let (l, s) = (scores.shape[scores.rank - 2], scores.shape[scores.rank - 1])
        scores = try scores.maskedFill(Tensor.full([l, s], 1, dtype: .bool).triu(diagonal: 1), value: -Double.infinity)
    }
    let weights = try scores.softmax(dim: -1)
    return try (dropout?(weights) ?? weights).matmul(v)
}

private func outputsAndGradients(_ x: AttentionInputs, seedGradient: UInt64 = 3, _ f: (Tensor, Tensor, Tensor) throws -> Tensor) throws -> [Tensor] {
    for t in [x.q, x.k, x.v] { t.grad = nil }
    let out = try f(x.q, x.k, x.v)
    try out.backward(gradient: Tensor.randn(out.shape, dtype: out.dtype, generator: Generator(seed: seedGradient)))
    return [out.detach()] + (try [x.q, x.k, x.v].map { try $0.grad ?? Tensor.zeros(like: $0) })
}

/// Output and the gradients of q, k and v, fused against the composite.
private func expectClose(_ a: [Tensor], _ b: [Tensor], _ label: String) throws {
    try expectTensorsClose(a, b, label + " (output, dq, dk, dv)", atol: 2e-5)
}

private func values(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

@Suite("scaled_dot_product_attention", .serialized)
struct AttentionTests {
    static let backends = ["reference", "openmp", "blas"]

    /// A mask whose every row keeps at least one key (the composite's softmax of an all -inf
    /// row is NaN; the fused operator's is zeros, tested below).
    static func keepSome(_ l: Int, _ s: Int, seed: UInt64) throws -> Tensor {
        let random = try Tensor.rand([l, s], generator: Generator(seed: seed)).gt(0.5)
        let first = try Tensor((0..<(l * s)).map { Double($0 % s == 0 ? 1 : 0) }, shape: [l, s], dtype: .float32).gt(0.5)
        return try SwiftTorch.where(first, first, random)
    }

    @Test("the fused kernels match the composite: plain, masks, causal, 3-d, broadcast batch", arguments: backends)
    func matchesComposite(backend: String) throws {
        try Runtime.withBackend(backend) {
            let plain = try AttentionInputs([2, 3, 5, 8], [2, 3, 7, 8], [2, 3, 7, 6], seed: 1)
            try expectClose(try outputsAndGradients(plain) { try scaledDotProductAttention($0, $1, $2) },
                            try outputsAndGradients(plain) { try compositeAttention($0, $1, $2) }, "plain on \(backend)")
            let boolMask = try Self.keepSome(5, 7, seed: 2)
            try expectClose(try outputsAndGradients(plain) { try scaledDotProductAttention($0, $1, $2, attnMask: boolMask) },
                            try outputsAndGradients(plain) { try compositeAttention($0, $1, $2, mask: boolMask) }, "bool mask on \(backend)")
            let floatMask = try Tensor.randn([2, 1, 5, 7], generator: Generator(seed: 3))
            try expectClose(try outputsAndGradients(plain) { try scaledDotProductAttention($0, $1, $2, attnMask: floatMask, scale: 0.3) },
                            try outputsAndGradients(plain) { try compositeAttention($0, $1, $2, mask: floatMask, scale: 0.3) }, "float mask on \(backend)")
            let threeD = try AttentionInputs([4, 6, 5], [4, 6, 5], [4, 6, 3], seed: 4)
            try expectClose(try outputsAndGradients(threeD) { try scaledDotProductAttention($0, $1, $2, isCausal: true) },
                            try outputsAndGradients(threeD) { try compositeAttention($0, $1, $2, causal: true) }, "causal 3-d on \(backend)")
            let broadcast = try AttentionInputs([3, 2, 4, 5], [1, 2, 6, 5], [2, 6, 3], seed: 5)
            try expectClose(try outputsAndGradients(broadcast) { try scaledDotProductAttention($0, $1, $2) },
                            try outputsAndGradients(broadcast) { try compositeAttention($0, $1, $2) }, "broadcast batch on \(backend)")
        }
    }

    @Test("views are read where they lie: a transposed key and an expanded value", arguments: backends)
    func readsViews(backend: String) throws {
        try Runtime.withBackend(backend) {
            let g = Generator(seed: 6)
            let q = try Tensor.randn([2, 5, 4], generator: g), k = try Tensor.randn([2, 4, 6], generator: g).transpose(1, 2)
            let v = try Tensor.randn([1, 6, 3], generator: g).expand([2, 6, 3])
            try expectClose([try scaledDotProductAttention(q, k, v)], [try compositeAttention(q, k, v)], "views on \(backend)")
        }
    }

    @Test("a training-sized causal batch (the char-transformer's heads) matches the composite")
    func largeCausal() throws {
        let x = try AttentionInputs([8, 4, 64, 32], [8, 4, 64, 32], [8, 4, 64, 32], seed: 7)
        let fused = try Runtime.withBackend("openmp") { try outputsAndGradients(x) { try scaledDotProductAttention($0, $1, $2, isCausal: true) } }
        try expectClose(fused, try outputsAndGradients(x) { try compositeAttention($0, $1, $2, causal: true) }, "large causal")
    }

    @Test("a query whose keys are all masked gets zeros and no gradient, as PyTorch's safe softmax", arguments: backends)
    func fullyMaskedRow(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try AttentionInputs([1, 2, 3], [1, 4, 3], [1, 4, 2], seed: 8)
            let mask = try Tensor([[1.0, 1, 0, 1], [0, 0, 0, 0]]).gt(0.5)
            let out = try scaledDotProductAttention(x.q, x.k, x.v, attnMask: mask)
            #expect(try values(out.narrow(dim: 1, start: 1, length: 1)) == [0, 0])
            try out.sum().backward()
            #expect(try values(try #require(x.q.grad).narrow(dim: 1, start: 1, length: 1)) == [0, 0, 0])
        }
    }

    @Test("dropout drops the weights native_dropout drops with the same seed, forward and backward", arguments: backends)
    func dropoutMask(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try AttentionInputs([2, 5, 4], [2, 6, 4], [2, 6, 3], seed: 9)
            let (p, seed) = (0.4, 12345)
            let fused = try outputsAndGradients(x) { q, k, v in
                let keywords: [(String, ArgumentValue)] = [
                    ("query", .tensor(q)), ("key", .tensor(k)), ("value", .tensor(v)), ("attn_mask", .none), ("dropout_p", .double(p)),
                    ("is_causal", .bool(false)), ("scale", .double(0.5)), ("seed", .int(seed)),
                ]
                return try Runtime.dispatcher().call(Op.fusedAttention, Op.fusedAttention.schema.bind([], keywords))[0]
            }
            let oracle = try outputsAndGradients(x) { q, k, v in
                try compositeAttention(q, k, v, scale: 0.5) { w in
                    try Runtime.dispatcher().call(Op.nativeDropout, Op.nativeDropout.schema.bind([.tensor(w), .double(p), .int(seed)]))[0]
                }
            }
            try expectClose(fused, oracle, "dropout on \(backend)")
        }
    }

    @Test("dropout draws its mask from the default generator: reseeding repeats it")
    func dropoutFollowsTheGenerator() throws {
        let x = try AttentionInputs([2, 5, 4], [2, 6, 4], [2, 6, 3], seed: 10)
        manualSeed(77)
        let first = try scaledDotProductAttention(x.q, x.k, x.v, dropoutP: 0.5)
        manualSeed(77)
        let again = try scaledDotProductAttention(x.q, x.k, x.v, dropoutP: 0.5)
        #expect(try values(first) == values(again))
        #expect(try values(first) != values(try scaledDotProductAttention(x.q, x.k, x.v)))
    }

    @Test("bad calls raise PyTorch's errors, naming the shapes and dtypes")
    func errors() throws {
        let q = try Tensor.zeros([2, 3, 4])
        expectTorchError(.invalidArgument, mentioning: ["attn_mask", "is_causal"]) {
            try scaledDotProductAttention(q, q, q, attnMask: try Tensor.full([3, 3], 1, dtype: .bool), isCausal: true)
        }
        expectTorchError(.dtypeMismatch, mentioning: ["attn_mask", "int64"]) { try scaledDotProductAttention(q, q, q, attnMask: try Tensor.zeros([3, 3], dtype: .int64)) }
        expectTorchError(.dtypeMismatch, mentioning: ["attn_mask", "float64"]) { try scaledDotProductAttention(q, q, q, attnMask: try Tensor.zeros([3, 3], dtype: .float64)) }
        expectTorchError(.shapeMismatch, mentioning: ["feature size", "[2, 3, 5]"]) { try scaledDotProductAttention(q, try Tensor.zeros([2, 3, 5]), q) }
        expectTorchError(.shapeMismatch, mentioning: ["length", "[2, 4, 4]"]) { try scaledDotProductAttention(q, q, try Tensor.zeros([2, 4, 4])) }
        expectTorchError(.shapeMismatch, mentioning: ["attn_mask", "[2, 3, 3]", "[3, 4]"]) { try scaledDotProductAttention(q, q, q, attnMask: try Tensor.zeros([3, 4])) }
        expectTorchError(.invalidArgument, mentioning: ["dropout_p", "1.5"]) { try scaledDotProductAttention(q, q, q, dropoutP: 1.5) }
        expectTorchError(.dtypeMismatch, mentioning: ["floating-point", "int64"]) {
            let i = try Tensor.zeros([2, 3, 4], dtype: .int64)
            return try scaledDotProductAttention(i, i, i)
        }
    }
}
