import SwiftTorch
import Testing

/// One convolution layer's shape: input [N, C, H, W], output channels, and the (height,
/// width) kernel, stride, padding and dilation.
struct ConvLayerShape: Sendable {
    let input: [Int], outChannels: Int, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int
}

extension ConvLayerShape: CustomTestStringConvertible {
    var testDescription: String {
        "x\(input) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups) -> \(outChannels)"
    }
}

/// Records an issue unless openmp's conv2d of random data (seeded with `seed`) agrees with
/// the reference backend's in the output and in the input, weight and bias gradients of
/// sum(y²): relative difference at most 1e-4 in float32, 1e-10 in float64.
func expectConvMatchesReference(_ c: ConvLayerShape, dtype: DType, seed: UInt64,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    manualSeed(seed)
    let x = try Tensor.randn(c.input, dtype: dtype)
    let w = try Tensor.randn([c.outChannels, c.input[1] / c.groups] + c.kernel, dtype: dtype)
    let b = try Tensor.randn([c.outChannels], dtype: dtype)
    func run(_ backend: String) throws -> [[Double]] {
        try Runtime.withBackend(backend) {
            let (xg, wg, bg) = (try x.detach().requiringGrad(), try w.detach().requiringGrad(), try b.detach().requiringGrad())
            let y = try conv2d(xg, weight: wg, bias: bg, stride: IntOrPair(c.stride[0], c.stride[1]),
                               padding: IntOrPair(c.padding[0], c.padding[1]),
                               dilation: IntOrPair(c.dilation[0], c.dilation[1]), groups: c.groups)
            try (y * y).sum().backward()
            return try [y, xg.grad!, wg.grad!, bg.grad!].map { try $0.toArray(of: Double.self) }
        }
    }
    let (expected, actual) = (try run("reference"), try run("openmp"))
    let tolerance = dtype == .float32 ? 1e-4 : 1e-10
    for (name, (e, a)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(expected, actual)) {
        #expect(!e.isEmpty && e.count == a.count, "\(name)", sourceLocation: sourceLocation)
        let worst = zip(e, a).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst <= tolerance, "\(name): relative difference \(worst)", sourceLocation: sourceLocation)
    }
}
