import SwiftTorch
import Testing

// openmp's convolutions take a separate path for small planes (output rows under 16 wide,
// padded input plane within 1,024 elements): im2col and col2im go through a zero-padded
// scratch plane, with constant-length row copies for outputs 4 and 8 wide. These cases
// cross every branch of that path (widths 4, 8 and others, stride, dilation, padding,
// groups, both float dtypes) and compare forward values and both gradients with the
// reference backend.

private struct ConvCase: CustomTestStringConvertible, Sendable {
    let input: [Int], outChannels: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int
    var testDescription: String {
        "x\(input) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups) -> \(outChannels)"
    }
}

private let cases: [ConvCase] = [
    ConvCase(input: [2, 3, 8, 8], outChannels: 4, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 1),  // ow 8
    ConvCase(input: [2, 4, 4, 4], outChannels: 6, kernel: 3, stride: 1, padding: 1, dilation: 1, groups: 2),  // ow 4, groups
    ConvCase(input: [1, 2, 9, 7], outChannels: 3, kernel: 3, stride: 2, padding: 2, dilation: 1, groups: 1),  // stride 2, ow 5
    ConvCase(input: [2, 2, 10, 10], outChannels: 2, kernel: 3, stride: 1, padding: 0, dilation: 2, groups: 1), // dilation, ow 6
    ConvCase(input: [1, 1, 6, 12], outChannels: 2, kernel: 5, stride: 1, padding: 2, dilation: 1, groups: 1), // ow 12
]

@Suite("openmp convolutions on small planes agree with the reference backend")
struct ConvSmallPlaneTests {
    @Test(arguments: cases, [DType.float32, .float64])
    fileprivate func forwardAndGradients(_ c: ConvCase, dtype: DType) throws {
        manualSeed(7)
        let x = try Tensor.randn(c.input, dtype: dtype)
        let w = try Tensor.randn([c.outChannels, c.input[1] / c.groups, c.kernel, c.kernel], dtype: dtype)
        let b = try Tensor.randn([c.outChannels], dtype: dtype)
        func run(_ backend: String) throws -> [[Double]] {
            try Runtime.withBackend(backend) {
                let (xg, wg, bg) = (try x.detach().requiringGrad(), try w.detach().requiringGrad(), try b.detach().requiringGrad())
                let y = try conv2d(xg, weight: wg, bias: bg, stride: .init(c.stride), padding: .init(c.padding),
                                   dilation: .init(c.dilation), groups: c.groups)
                try (y * y).sum().backward()
                return try [y, xg.grad!, wg.grad!, bg.grad!].map { try $0.toArray(of: Double.self) }
            }
        }
        let (expected, actual) = (try run("reference"), try run("openmp"))
        let tolerance = dtype == .float32 ? 1e-4 : 1e-10
        for (name, (e, a)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(expected, actual)) {
            #expect(e.count == a.count, "\(name)")
            let worst = zip(e, a).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
            #expect(worst <= tolerance, "\(name): relative difference \(worst)")
        }
    }
}
