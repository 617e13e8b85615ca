import SwiftTorch
import Testing

// Printing follows PyTorch's torch/_tensor_str.py with its default options (precision 4,
// threshold 1000, edge items 3, line width 80). Every expected string is what PyTorch prints
// for the same tensor, except that dtypes are spelled as in Swift (`dtype=float64`, where
// PyTorch writes `dtype=torch.float64`); the suffix wrapping is PyTorch's `_add_suffixes`
// applied to that spelling.

private func floats(_ values: [Double], dtype: DType = .float32) throws -> Tensor {
    try Tensor(values, shape: [values.count], dtype: dtype)
}

@Suite("Printing")
struct PrintingTests {
    // MARK: Number styles

    @Test func matrixWithFractionsUsesFourDecimals() throws {
        #expect(try Tensor([[1.0, 2.5], [3.0, 4.0]]).description == "tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])")
    }

    @Test func wholeNumberFloatsPrintWithATrailingPoint() throws {
        #expect(try Tensor([1.0, 2.0, 3.0]).description == "tensor([1., 2., 3.])")
    }

    @Test func negativeWholeNumbersArePaddedToOneWidth() throws {
        #expect(try Tensor([1.0, -2.0]).description == "tensor([ 1., -2.])")
    }

    @Test func fractionsRoundToFourDecimals() throws {
        #expect(try Tensor([0.1, 0.25]).description == "tensor([0.1000, 0.2500])")
    }

    @Test func negativeFixedValuesArePadded() throws {
        #expect(try Tensor([-1.5, 100.25]).description == "tensor([ -1.5000, 100.2500])")
    }

    @Test func int64PrintsPlainIntegers() throws {
        #expect(try Tensor([1, 2, 3]).description == "tensor([1, 2, 3])")
    }

    @Test func negativeIntegersArePaddedToOneWidth() throws {
        #expect(try Tensor([1, -100]).description == "tensor([   1, -100])")
    }

    @Test func boolsArePaddedToTheWidthOfFalse() throws {
        #expect(try Tensor([true, false]).description == "tensor([ True, False])")
    }

    @Test func boolColumn() throws {
        #expect(try Tensor([[true], [false]]).description == "tensor([[ True],\n        [False]])")
    }

    // MARK: Scientific notation

    @Test func aValueBelowOneTenThousandthSwitchesToScientific() throws {
        #expect(try Tensor([1e-5, 1.0]).description == "tensor([1.0000e-05, 1.0000e+00])")
    }

    @Test func aRangeWiderThanAThousandSwitchesToScientific() throws {
        #expect(try Tensor([1.0, 12345.0]).description == "tensor([1.0000e+00, 1.2345e+04])")
        #expect(try Tensor([100000.5, 1.0]).description == "tensor([1.0000e+05, 1.0000e+00])")
    }

    @Test func aValueAboveOneHundredMillionSwitchesToScientific() throws {
        #expect(try Tensor([123456789.0]).description == "tensor([1.2346e+08])")
    }

    @Test func scientificMatrix() throws {
        #expect(try Tensor([[1e-5, 1.0], [2.0, 3.0]]).description
            == "tensor([[1.0000e-05, 1.0000e+00],\n        [2.0000e+00, 3.0000e+00]])")
    }

    // MARK: Zero, NaN and infinity

    @Test func nanAndZeroDoNotChangeIntegerMode() throws {
        #expect(try Tensor([0.0, 1.0, .nan]).description == "tensor([0., 1., nan])")
    }

    @Test func nonFiniteValuesArePaddedToTheWidthOfFiniteOnes() throws {
        #expect(try Tensor([0.5, .infinity, -.infinity, .nan]).description == "tensor([0.5000,    inf,   -inf,    nan])")
    }

    @Test func nanIsPaddedInScientificMode() throws {
        #expect(try Tensor([1e-5, 1.0, .nan]).description == "tensor([1.0000e-05, 1.0000e+00,        nan])")
    }

    @Test func allZerosPrintAsWholeNumbers() throws {
        #expect(try Tensor([0.0, 0.0]).description == "tensor([0., 0.])")
    }

    @Test func onlyNaN() throws {
        #expect(try Tensor([Double.nan]).description == "tensor([nan])")
    }

    // MARK: Zero-dimensional tensors

    @Test func zeroDimFloat() throws {
        #expect(try Tensor(1.5).description == "tensor(1.5000)")
    }

    @Test func zeroDimInt() throws {
        #expect(try Tensor(5).description == "tensor(5)")
    }

    @Test func zeroDimBool() throws {
        #expect(try Tensor(true).description == "tensor(True)")
    }

    @Test func zeroDimNegativeZeroKeepsItsSign() throws {
        #expect(try Tensor(-0.0).description == "tensor(-0.)")
    }

    @Test func zeroDimNaN() throws {
        #expect(try Tensor(Double.nan).description == "tensor(nan)")
    }

    // MARK: Layout

    @Test func longRowsWrapAtEightyColumns() throws {
        #expect(try Tensor.arange(0.0, 30.0).description == """
            tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,
                    14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,
                    28., 29.])
            """)
    }

    @Test func longFixedRowsWrapAtEightyColumns() throws {
        #expect(try (Tensor.arange(0.0, 30.0) / 7.0).description == """
            tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,
                    1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,
                    2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,
                    3.8571, 4.0000, 4.1429])
            """)
    }

    @Test func threeDimensionsSeparateBlocksWithABlankLine() throws {
        #expect(try Tensor.arange(24).reshape([2, 3, 4]).description == """
            tensor([[[ 0,  1,  2,  3],
                     [ 4,  5,  6,  7],
                     [ 8,  9, 10, 11]],

                    [[12, 13, 14, 15],
                     [16, 17, 18, 19],
                     [20, 21, 22, 23]]])
            """)
    }

    @Test func viewsPrintInLogicalOrder() throws {
        #expect(try Tensor([[1, 2], [3, 4]]).t().description == "tensor([[1, 3],\n        [2, 4]])")
        #expect(try Tensor([1.0, 2.0]).expand([2, 2]).description == "tensor([[1., 2.],\n        [1., 2.]])")
    }

    @Test func stringInterpolationUsesTheSameForm() throws {
        let x = try Tensor([1, 2])
        #expect("\(x)" == "tensor([1, 2])")
    }

    // MARK: Summarisation beyond 1000 elements

    @Test func moreThanAThousandIntegersAreElided() throws {
        #expect(try Tensor.arange(10000).description == "tensor([   0,    1,    2,  ..., 9997, 9998, 9999])")
    }

    @Test func exactlyAThousandElementsAreNotElided() throws {
        let text = try Tensor.arange(1000).description
        #expect(!text.contains("..."))
        #expect(text.hasSuffix("999])"))
    }

    @Test func moreThanAThousandFloatsAreElided() throws {
        #expect(try Tensor.arange(0.0, 1001.0).description == "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])")
    }

    @Test func elidedValuesDoNotAffectTheNumberStyle() throws {
        // Only the shown elements choose the style: the hidden 0.5 does not force decimals.
        var values = [Double](repeating: 1, count: 1001)
        values[500] = 0.5
        #expect(try floats(values).description == "tensor([1., 1., 1.,  ..., 1., 1., 1.])")
    }

    @Test func elidedMatrixShowsThreeRowsAndColumnsAtEachEdge() throws {
        #expect(try Tensor.arange(0.0, 2000.0).reshape([40, 50]).description == """
            tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,
                     4.9000e+01],
                    [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,
                     9.9000e+01],
                    [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,
                     1.4900e+02],
                    ...,
                    [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,
                     1.8990e+03],
                    [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,
                     1.9490e+03],
                    [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,
                     1.9990e+03]])
            """)
    }

    // MARK: Suffixes

    @Test func float64AddsItsDType() throws {
        #expect(try floats([1.5, 2.0], dtype: .float64).description == "tensor([1.5000, 2.0000], dtype=float64)")
    }

    @Test func int32AddsItsDType() throws {
        #expect(try Tensor([Int32(1), 2]).description == "tensor([1, 2], dtype=int32)")
    }

    @Test func dtypeSuffixWrapsWhenTheLastLinePassesEightyColumns() throws {
        #expect(try (Tensor.arange(0.0, 9.0, dtype: .float64) / 3.0).description == """
            tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667],
                   dtype=float64)
            """)
    }

    @Test func dtypeSuffixStaysOnALastLineThatFits() throws {
        let text = try (Tensor.arange(0.0, 70.0, dtype: .float64) / 3.0).description
        #expect(text.hasSuffix("\n        21.3333, 21.6667, 22.0000, 22.3333, 22.6667, 23.0000], dtype=float64)"))
        #expect(text.hasPrefix("tensor([ 0.0000,  0.3333,  0.6667,  1.0000,  1.3333,  1.6667,  2.0000,  2.3333,\n         2.6667,"))
    }

    @Test func requiresGradIsShown() throws {
        let x = try Tensor([1.0, 2.0])
        x.requiresGrad = true
        #expect(x.description == "tensor([1., 2.], requires_grad=True)")
    }

    @Test func gradFnIsShownInsteadOfRequiresGrad() throws {
        // PyTorch: (torch.tensor([1., 2.], requires_grad=True) * 2) prints grad_fn=<MulBackward0>.
        let x = try Tensor([1.0, 2.0])
        x.requiresGrad = true
        #expect(try (x * 2.0).description == "tensor([2., 4.], grad_fn=<MulBackward0>)")
    }

    // MARK: Empty tensors

    @Test func emptyVector() throws {
        #expect(try Tensor.zeros([0]).description == "tensor([])")
    }

    @Test func emptyMatrixShowsItsSize() throws {
        #expect(try Tensor.zeros([2, 0]).description == "tensor([], size=(2, 0))")
    }

    @Test func emptyInt64ShowsItsDType() throws {
        #expect(try Tensor.zeros([0], dtype: .int64).description == "tensor([], dtype=int64)")
    }

    @Test func emptyFloat64ShowsSizeThenDType() throws {
        #expect(try Tensor.zeros([2, 0], dtype: .float64).description == "tensor([], size=(2, 0), dtype=float64)")
    }
}
