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
        let shape = ConvLayerShape(input: c.input, outChannels: c.outChannels, kernel: [c.kernel, c.kernel],
                                   stride: [c.stride, c.stride], padding: [c.padding, c.padding],
                                   dilation: [c.dilation, c.dilation], groups: c.groups)
        try expectConvMatchesReference(shape, dtype: dtype, seed: 7)
    }
}
