import SwiftTorch
import Testing

/// Records an issue for each pair of `actual` and `expected` tensors that differ beyond
/// `rtol`/`atol`, naming `label` and the tensor's position: the fused kernels' tests compare
/// their outputs and gradients with the composite they replace this way.
func expectTensorsClose(_ actual: [Tensor], _ expected: [Tensor], _ label: String,
                        rtol: Double = 1e-4, atol: Double = 1e-5) throws {
    #expect(actual.count == expected.count, "\(label): \(actual.count) tensors, expected \(expected.count)")
    for (i, (x, y)) in zip(actual, expected).enumerated() {
        if let mismatch = try TensorComparison.compare(x, y, tolerance: Tolerance(rtol: rtol, atol: atol)) {
            Issue.record("\(label) tensor \(i): \(mismatch.message)")
        }
    }
}
