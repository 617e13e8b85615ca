import SwiftTorch
import Testing

// openmp's max_pool2d takes 2x2 windows at stride 2 (no padding, no dilation) on float32
// planes with output rows 4 or 8 wide through a vector path that splits each pair of input
// rows into even and odd columns. Values and indices must be the reference backend's,
// including which tap wins a tie (the first), a NaN (the last one in the window) and a
// window of -inf (the first tap). Odd input sizes leave a last row and column no window
// reads; a float64 input and a 3-wide output take the general path as a control.

private struct PoolCase: CustomTestStringConvertible, Sendable {
    let shape: [Int], dtype: DType
    var testDescription: String { "\(shape) \(dtype)" }
}

private let cases: [PoolCase] = [
    PoolCase(shape: [2, 3, 8, 8], dtype: .float32),   // output rows 4 wide
    PoolCase(shape: [1, 2, 16, 17], dtype: .float32), // 8 wide, odd width
    PoolCase(shape: [2, 1, 9, 9], dtype: .float32),   // 4 wide, odd height and width
    PoolCase(shape: [1, 2, 8, 8], dtype: .float64),   // general path
    PoolCase(shape: [1, 2, 6, 6], dtype: .float32),   // 3 wide: general path
]

/// Values on a coarse grid (many ties); in the first plane two NaNs in one window (taps
/// (0, 1) and (1, 0) of window (0, 2)) and an infinity; in the last plane a window of -inf.
private func input(_ shape: [Int], dtype: DType) throws -> Tensor {
    let count = shape.reduce(1, *), width = shape[3], lastPlane = count - shape[2] * width
    var values = (0..<count).map { Double(($0 * 7919) % 13) - 6 }
    values[5] = .nan
    values[width + 4] = .nan
    values[2 * width + 1] = .infinity
    for at in [2, 3, width + 2, width + 3] { values[lastPlane + at] = -.infinity }
    return try Tensor(values, shape: shape, dtype: dtype)
}

@Suite("openmp's 2x2 max pooling on narrow planes agrees with the reference backend")
struct MaxPoolPairsTests {
    @Test(arguments: cases)
    fileprivate func valuesIndicesAndGradient(_ c: PoolCase) throws {
        let x = try input(c.shape, dtype: c.dtype)
        func run(_ backend: String) throws -> (values: [Double], indices: [Int64], grad: [Double]) {
            try Runtime.withBackend(backend) {
                let xg = try x.detach().requiringGrad()
                let (values, indices) = try maxPool2dWithIndices(xg, kernelSize: 2)
                try values.sum().backward()
                return (try values.toArray(of: Double.self), try indices.toArray(of: Int64.self), try xg.grad!.toArray(of: Double.self))
            }
        }
        let (expected, actual) = (try run("reference"), try run("openmp"))
        #expect(!expected.values.isEmpty)
        #expect(actual.indices == expected.indices)
        #expect(actual.values.map(\.bitPattern) == expected.values.map(\.bitPattern))
        #expect(actual.grad == expected.grad)
    }
}
