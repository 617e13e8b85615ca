import SwiftTorch
import Testing

// openmp's float32 GEMM packs an operand whose k index is contiguous (a row-major A, a B
// stored transposed) by turning over 8 x 8 and 4 x 4 blocks in registers, with a scalar
// tail for the last rows and k steps. These shapes cross every branch of that packing: rows
// in blocks of 8 and 4 plus one to three left over, k tails after whole blocks, k deeper
// than one cache block (256), row strides wider than k (slices), and a batch. Values are
// compared with the reference backend.

private struct GemmCase: CustomTestStringConvertible, Sendable {
    let batch: Int, m: Int, n: Int, k: Int
    var testDescription: String { "\(batch) x (\(m) x \(k)) @ (\(k) x \(n))ᵀ" }
}

private let cases: [GemmCase] = [
    GemmCase(batch: 1, m: 13, n: 37, k: 19),    // rows 8 + 4 + 1, 32 + 4 + 1; k 16 + 3
    GemmCase(batch: 1, m: 70, n: 300, k: 530),  // k over two cache blocks, tails everywhere
    GemmCase(batch: 1, m: 64, n: 288, k: 1024), // the digits CNN's weight gradient
    GemmCase(batch: 3, m: 15, n: 22, k: 42),    // batched; rows 8 + 4 + 3, k 40 + 2
]

@Suite("openmp's float32 GEMM with k-contiguous operands agrees with the reference backend")
struct GemmTransposedPackTests {
    /// A [batch, m, k] slice of a wider tensor (row stride k + 5) times B stored as
    /// [batch, n, k + 3], narrowed and transposed to [batch, k, n] (row stride 1).
    @Test(arguments: cases)
    fileprivate func slicedTimesTransposed(_ c: GemmCase) throws {
        manualSeed(11)
        let a = try Tensor.randn([c.batch, c.m, c.k + 5]).narrow(dim: 2, start: 2, length: c.k)
        let b = try Tensor.randn([c.batch, c.n, c.k + 3]).narrow(dim: 2, start: 1, length: c.k).transpose(1, 2)
        func run(_ backend: String) throws -> [Double] {
            try Runtime.withBackend(backend) { try a.matmul(b).toArray(of: Double.self) }
        }
        let (expected, actual) = (try run("reference"), try run("openmp"))
        #expect(actual.count == c.batch * c.m * c.n)
        let atol = 1e-5 * Double(c.k).squareRoot()
        let worst = zip(expected, actual).map { abs($0 - $1) - 1e-4 * abs($0) }.max() ?? 0
        #expect(worst <= atol, "largest excess over rtol 1e-4: \(worst)")
    }

    /// A linear layer's forward multiplies by the weight transposed, and its weight gradient
    /// by the input transposed: both gradients and the output against the reference.
    @Test func linearForwardAndGradients() throws {
        manualSeed(5)
        let x = try Tensor.randn([37, 90]), w = try Tensor.randn([21, 90]), bias = try Tensor.randn([21])
        func run(_ backend: String) throws -> [[Double]] {
            try Runtime.withBackend(backend) {
                let (xg, wg) = (try x.detach().requiringGrad(), try w.detach().requiringGrad())
                let y = try linear(xg, weight: wg, bias: bias)
                try (y * y).sum().backward()
                return try [y, xg.grad!, wg.grad!].map { try $0.toArray(of: Double.self) }
            }
        }
        let (expected, actual) = (try run("reference"), try run("openmp"))
        for (name, (e, a)) in zip(["output", "input grad", "weight grad"], zip(expected, actual)) {
            #expect(e.count == a.count, "\(name)")
            let worst = zip(e, a).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst <= 1e-4, "\(name): relative difference \(worst)")
        }
    }
}
