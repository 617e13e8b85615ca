import Foundation
import SwiftTorch
import Testing

// Gradient clipping against PyTorch: `clip-grad.json` (written by make-clip-grad.py) holds
// gradients before and after `clip_grad_norm_` / `clip_grad_value_`, and the total norms.

private struct ClipFixture: Decodable, Sendable {
    struct Gradient: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
    }
    struct NormCase: Decodable, Sendable, CustomTestStringConvertible {
        let dtype: String, max_norm: Double, norm_type: String, total_norm: Double
        let grads: [Gradient?], clipped: [Gradient?]
        var testDescription: String { "\(dtype) max_norm \(max_norm) norm_type \(norm_type)" }
    }
    struct ValueCase: Decodable, Sendable, CustomTestStringConvertible {
        let clip_value: Double
        let grads: [Gradient?], clipped: [Gradient?]
        var testDescription: String { "clip_value \(clip_value)" }
    }
    let norm_cases: [NormCase]
    let value_cases: [ValueCase]

    static func load() throws -> ClipFixture {
        let url = try #require(Bundle.module.url(forResource: "clip-grad", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(ClipFixture.self, from: Data(contentsOf: url))
    }
}

/// Parameters holding the fixture's gradients (nil stays without one).
private func parameters(_ grads: [ClipFixture.Gradient?], dtype: DType) throws -> [Tensor] {
    try grads.map { g in
        let p = try Tensor.zeros(g?.shape ?? [1], dtype: dtype).requiringGrad()
        if let g { p.grad = try Tensor(g.data, shape: g.shape, dtype: dtype) }
        return p
    }
}

/// Each parameter's gradient matches the fixture's within float32 rounding.
private func expectGradients(_ params: [Tensor], _ expected: [ClipFixture.Gradient?]) throws {
    for (p, e) in zip(params, expected) {
        guard let e else {
            #expect(p.grad == nil)
            continue
        }
        let actual = try #require(p.grad).toArray(of: Double.self)
        for (a, b) in zip(actual, e.data) { #expect(Swift.abs(a - b) <= 1e-6 * Swift.max(1, Swift.abs(b)), "\(actual) vs \(e.data)") }
    }
}

@Suite("clipGradNorm and clipGradValue give PyTorch's gradients")
struct ClipGradTests {
    @Test(arguments: try ClipFixture.load().norm_cases)
    fileprivate func clipGradNormMatchesPyTorch(_ c: ClipFixture.NormCase) throws {
        let dtype = try #require(DType(name: c.dtype))
        let params = try parameters(c.grads, dtype: dtype)
        let total = try clipGradNorm(params, maxNorm: c.max_norm, normType: try #require(Double(c.norm_type)))
        #expect(total.shape == [])
        #expect(total.dtype == dtype)
        #expect(Swift.abs(try total.item() - c.total_norm) <= 1e-6 * Swift.max(1, c.total_norm))
        try expectGradients(params, c.clipped)
    }

    @Test(arguments: try ClipFixture.load().value_cases)
    fileprivate func clipGradValueMatchesPyTorch(_ c: ClipFixture.ValueCase) throws {
        let params = try parameters(c.grads, dtype: .float32)
        try clipGradValue(params, clipValue: c.clip_value)
        try expectGradients(params, c.clipped)
    }

    @Test func theNormOfThreeFourIsFiveAndClipsToTheMaximum() throws {
        let p = try Tensor([0.0, 0.0], dtype: .float64).requiringGrad()
        p.grad = try Tensor([3.0, 4.0], dtype: .float64)
        #expect(try clipGradNorm([p], maxNorm: 1).item() == 5)
        let clipped = try #require(p.grad).toArray(of: Double.self)
        #expect(Swift.abs(clipped[0] - 3 / (5 + 1e-6)) < 1e-15)
        #expect(Swift.abs(clipped[1] - 4 / (5 + 1e-6)) < 1e-15)
    }

    @Test func gradientsBelowTheMaximumAreUntouched() throws {
        let p = try Tensor([0.0, 0.0]).requiringGrad()
        p.grad = try Tensor([0.3, 0.4])
        #expect(Swift.abs(try clipGradNorm([p], maxNorm: 10).item() - 0.5) < 1e-7)
        #expect(try p.grad!.toArray(of: Float.self) == [0.3, 0.4])
    }

    @Test func withoutGradientsTheNormIsZero() throws {
        let p = try Tensor([1.0]).requiringGrad()
        #expect(try clipGradNorm([p], maxNorm: 1).item() == 0)
        #expect(p.grad == nil)
    }

    @Test func aNonFiniteNormThrowsOnlyWhenAsked() throws {
        let p = try Tensor([0.0, 0.0]).requiringGrad()
        p.grad = try Tensor([Double.nan, 1.0])
        let error = try #require(throws: TorchError.self) { try clipGradNorm([p], maxNorm: 1, errorIfNonfinite: true) }
        #expect(error.message.contains("non-finite"))
        #expect(try clipGradNorm([p], maxNorm: 1).item().isNaN)
        #expect(try p.grad!.toArray(of: Double.self).allSatisfy(\.isNaN))  // PyTorch scales by the NaN norm
    }

    @Test func clipGradValueRejectsANegativeBound() throws {
        let p = try Tensor([0.0]).requiringGrad()
        p.grad = try Tensor([2.0])
        #expect(throws: TorchError.self) { try clipGradValue([p], clipValue: -1) }
        #expect(throws: TorchError.self) { try clipGradValue([p], clipValue: .nan) }
        #expect(try p.grad!.item() == 2)
    }
}
