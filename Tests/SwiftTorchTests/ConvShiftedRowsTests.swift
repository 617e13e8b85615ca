import SwiftTorch
import Testing

// openmp's convolutions on maps 4 or 8 wide with a kernel 3 wide, padding 1 and unit
// stride and dilation across build each tap's row of im2col (and col2im's sums) from the
// input row shifted in registers. The horizontal geometry is fixed there; these cases vary
// the vertical one (kernel height, stride, padding, dilation), the width, groups, batch,
// and the folded layout (few pixels, many taps), and compare forward values and all three
// gradients with the reference backend in both float dtypes. The last case is a layer just
// outside the path (padding 2 across), which must still agree.

private let cases: [ConvLayerShape] = [
    ConvLayerShape(input: [2, 3, 4, 4], outChannels: 5, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
    ConvLayerShape(input: [2, 2, 8, 8], outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
    // Folded layout (72 taps per group, 16 pixels) as in the digits CNN's second layer.
    ConvLayerShape(input: [3, 8, 4, 4], outChannels: 6, kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1),
    ConvLayerShape(input: [2, 4, 9, 8], outChannels: 6, kernel: [5, 3], stride: [2, 1], padding: [2, 1], dilation: [1, 1], groups: 2),
    ConvLayerShape(input: [1, 2, 7, 4], outChannels: 3, kernel: [2, 3], stride: [1, 1], padding: [0, 1], dilation: [3, 1], groups: 1),
    ConvLayerShape(input: [2, 1, 1, 8], outChannels: 2, kernel: [1, 3], stride: [1, 1], padding: [0, 1], dilation: [1, 1], groups: 1),
    ConvLayerShape(input: [2, 2, 4, 4], outChannels: 3, kernel: [3, 3], stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1),
]

@Suite("openmp convolutions on maps 4 or 8 wide (shifted rows) agree with the reference backend")
struct ConvShiftedRowsTests {
    @Test(arguments: cases, [DType.float32, .float64])
    func forwardAndGradients(_ c: ConvLayerShape, dtype: DType) throws {
        try expectConvMatchesReference(c, dtype: dtype, seed: 3)
    }
}
