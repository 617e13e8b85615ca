import SwiftTorch
import Testing

// Views: every shape operator but `cat` (and `reshape` when the strides do not allow it)
// returns a tensor over the same storage. Expected strides and offsets are PyTorch's
// (`x.stride()`, `x.storage_offset()`), worked out by hand for row-major storage.

/// `[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, ...], ...]]`: shape [2, 3, 4],
/// strides [12, 4, 1].
private func arange234() throws -> Tensor { try Tensor.arange(24).reshape([2, 3, 4]) }

private func ints(_ t: Tensor) throws -> [Int] { try t.toArray(of: Int.self) }

@Suite("Views share storage and have PyTorch's geometry")
struct ViewTests {
    @Test func reshapeOfContiguousTensorIsAViewWithRowMajorStrides() throws {
        let x = try arange234()
        let v = try x.reshape([6, 4])
        #expect(v.storage === x.storage)
        #expect(v.shape == [6, 4])
        #expect(v.strides == [4, 1])
        #expect(v.offset == 0)
    }

    @Test func reshapeInfersOneMinusOneSize() throws {
        let v = try arange234().reshape([4, -1])
        #expect(v.shape == [4, 6])
        #expect(v.strides == [6, 1])
    }

    @Test func reshapeOfTransposedMatrixCopiesInLogicalOrder() throws {
        let m = try Tensor.arange(6).reshape([2, 3])
        let r = try m.t().reshape([6])
        #expect(r.storage !== m.storage)
        #expect(r.strides == [1])
        #expect(try ints(r) == [0, 3, 1, 4, 2, 5])
    }

    @Test func reshapeOfTransposedMatrixKeepsAViewWhenOnlySizeOneDimsAreAdded() throws {
        // PyTorch: m.t().reshape(3, 1, 2).stride() == (1, 6, 3).
        let m = try Tensor.arange(6).reshape([2, 3])
        let r = try m.t().reshape([3, 1, 2])
        #expect(r.storage === m.storage)
        #expect(r.strides == [1, 6, 3])
    }

    @Test func reshapeOfColumnSliceCopies() throws {
        // x[:, :2] of a 4 x 4 matrix is not contiguous; flattening it needs a copy.
        let x = try Tensor.arange(16).reshape([4, 4])
        let cols = try x.narrow(dim: 1, start: 0, length: 2)
        let r = try cols.reshape([8])
        #expect(r.storage !== x.storage)
        #expect(try ints(r) == [0, 1, 4, 5, 8, 9, 12, 13])
    }

    @Test func permuteReordersStridesWithoutCopying() throws {
        let x = try arange234()
        let p = try x.permute([2, 0, 1])
        #expect(p.storage === x.storage)
        #expect(p.shape == [4, 2, 3])
        #expect(p.strides == [1, 12, 4])
        #expect(p.offset == 0)
        // p[1][0] is x[0, :, 1] = [1, 5, 9].
        #expect(try ints(p[1][0]) == [1, 5, 9])
    }

    @Test func permuteAcceptsNegativeDims() throws {
        let p = try arange234().permute([-1, 0, 1])
        #expect(p.strides == [1, 12, 4])
    }

    @Test func transposeSwapsShapeAndStrides() throws {
        let x = try arange234()
        let t = try x.transpose(0, 2)
        #expect(t.storage === x.storage)
        #expect(t.shape == [4, 3, 2])
        #expect(t.strides == [1, 4, 12])
        #expect(!t.isContiguous)
    }

    @Test func matrixTransposeReadsColumns() throws {
        let m = try Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(try ints(m.t()) == [1, 4, 2, 5, 3, 6])
    }

    @Test func expandGivesStrideZeroToBroadcastDims() throws {
        let x = try Tensor([[1.0], [2.0], [3.0]])
        let e = try x.expand([2, 3, 4])
        #expect(e.storage === x.storage)
        #expect(e.shape == [2, 3, 4])
        #expect(e.strides == [0, 1, 0])
        let block: [Double] = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
        #expect(try e.toArray(of: Double.self) == block + block)
    }

    @Test func expandKeepsSizesGivenAsMinusOne() throws {
        let e = try Tensor.zeros([3, 1]).expand([-1, 5])
        #expect(e.shape == [3, 5])
        #expect(e.strides == [1, 0])
    }

    @Test func narrowMovesTheOffset() throws {
        let x = try arange234()
        let n = try x.narrow(dim: 1, start: 1, length: 2)
        #expect(n.storage === x.storage)
        #expect(n.shape == [2, 2, 4])
        #expect(n.strides == [12, 4, 1])
        #expect(n.offset == 4)
        #expect(try ints(n) == [4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23])
    }

    @Test func narrowAcceptsNegativeStart() throws {
        let n = try Tensor.arange(10).narrow(dim: 0, start: -3, length: 2)
        #expect(n.offset == 7)
        #expect(try ints(n) == [7, 8])
    }

    @Test func sliceWithStepMultipliesTheStride() throws {
        // PyTorch: x[:, ::2, 1::2] has shape (2, 2, 2), stride (12, 8, 2), offset 1.
        let x = try arange234()
        let s = try x.slice(dim: 1, step: 2).slice(dim: 2, start: 1, step: 2)
        #expect(s.storage === x.storage)
        #expect(s.shape == [2, 2, 2])
        #expect(s.strides == [12, 8, 2])
        #expect(s.offset == 1)
        #expect(try ints(s) == [1, 3, 9, 11, 13, 15, 21, 23])
    }

    @Test func sliceClampsEndsLikePython() throws {
        // Python: list(range(10))[-4:100:3] == [6, 9].
        let s = try Tensor.arange(10).slice(dim: 0, start: -4, end: 100, step: 3)
        #expect(s.shape == [2])
        #expect(s.offset == 6)
        #expect(s.strides == [3])
        #expect(try ints(s) == [6, 9])
    }

    @Test func integerSubscriptDropsTheFirstDimension() throws {
        let x = try arange234()
        let row = try x[1]
        #expect(row.storage === x.storage)
        #expect(row.shape == [3, 4])
        #expect(row.strides == [4, 1])
        #expect(row.offset == 12)
    }

    @Test func squeezeDropsEverySizeOneDim() throws {
        let x = try Tensor.zeros([1, 3, 1])
        let s = try x.squeeze()
        #expect(s.storage === x.storage)
        #expect(s.shape == [3])
        #expect(s.strides == [1])
    }

    @Test func squeezeOfOneDimKeepsTheOthers() throws {
        let s = try Tensor.zeros([2, 1, 3]).squeeze(1)
        #expect(s.shape == [2, 3])
        #expect(s.strides == [3, 1])
    }

    @Test func squeezeOfADimLargerThanOneIsANoOp() throws {
        let s = try Tensor.zeros([2, 3]).squeeze(0)
        #expect(s.shape == [2, 3])
    }

    @Test func unsqueezeInsertsStrideOfTheDimAfterIt() throws {
        // PyTorch: arange(24).reshape(2,3,4).unsqueeze(1).stride() == (12, 12, 4, 1).
        let x = try arange234()
        let u = try x.unsqueeze(1)
        #expect(u.storage === x.storage)
        #expect(u.shape == [2, 1, 3, 4])
        #expect(u.strides == [12, 12, 4, 1])
    }

    @Test func unsqueezeAtTheEndHasStrideOne() throws {
        let u = try arange234().unsqueeze(-1)
        #expect(u.shape == [2, 3, 4, 1])
        #expect(u.strides == [12, 4, 1, 1])
    }

    @Test func unsqueezeOfTransposedTensorUsesSizeTimesStride() throws {
        // PyTorch: x.transpose(0, 1) has stride (4, 12, 1); .unsqueeze(1) gives (4, 24, 12, 1).
        let u = try arange234().transpose(0, 1).unsqueeze(1)
        #expect(u.shape == [3, 1, 2, 4])
        #expect(u.strides == [4, 24, 12, 1])
    }

    @Test func flattenOfContiguousTensorIsAView() throws {
        let x = try arange234()
        let f = try x.flatten()
        #expect(f.storage === x.storage)
        #expect(f.shape == [24])
        #expect(f.strides == [1])
    }

    @Test func flattenOfTrailingDims() throws {
        let f = try arange234().flatten(startDim: 1)
        #expect(f.shape == [2, 12])
        #expect(f.strides == [12, 1])
    }

    @Test func flattenOfZeroDimTensorGivesOneElement() throws {
        let f = try Tensor(3.5).flatten()
        #expect(f.shape == [1])
    }

    @Test func flattenOfPermutedTensorCopies() throws {
        let x = try arange234()
        let f = try x.permute([2, 0, 1]).flatten()
        #expect(f.storage !== x.storage)
        #expect(try ints(f).prefix(6) == [0, 4, 8, 12, 16, 20])
    }

    @Test func writingThroughAViewIsVisibleInTheBase() throws {
        let x = try Tensor.zeros([3, 4])
        let column = try x.narrow(dim: 1, start: 2, length: 1)
        column.setDoubleValues([7, 8, 9])
        #expect(try x.toArray(of: Double.self) == [0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0])
    }

    @Test func writingIntoTheBaseIsVisibleInATransposedView() throws {
        let x = try Tensor.zeros([2, 3])
        let t = try x.t()
        x.setDoubleValues([1, 2, 3, 4, 5, 6])
        #expect(try t.toArray(of: Double.self) == [1, 4, 2, 5, 3, 6])
    }

    @Test func copyIntoARowViewWritesTheBase() throws {
        let x = try Tensor.zeros([2, 3])
        try x[1].copy_(Tensor([7.0, 8.0, 9.0]))
        #expect(try x.toArray(of: Double.self) == [0, 0, 0, 7, 8, 9])
    }

    @Test func copyIntoAStridedViewWritesOnlyItsElements() throws {
        // x.t()[0] is column 0 of x; x[:, 1::2] (columns 1 and 3) takes a broadcast 0-d source.
        let x = try Tensor.zeros([2, 4])
        try x.t()[0].copy_(Tensor([1.0, 2.0]))
        try x.slice(dim: 1, start: 1, step: 2).copy_(Tensor(5.0))
        #expect(try x.toArray(of: Double.self) == [1, 5, 0, 5, 2, 5, 0, 5])
    }

    @Test func contiguousReturnsTheSameObjectWhenAlreadyContiguous() throws {
        let x = try arange234()
        #expect(try x.contiguous() === x)
    }

    @Test func contiguousCopiesATransposedTensor() throws {
        let m = try Tensor.arange(6).reshape([2, 3])
        let c = try m.t().contiguous()
        #expect(c !== m)
        #expect(c.storage !== m.storage)
        #expect(c.isContiguous)
        #expect(c.shape == [3, 2])
        #expect(c.strides == [2, 1])
        #expect(c.offset == 0)
        #expect(try ints(c) == [0, 3, 1, 4, 2, 5])
    }

    @Test func contiguousCopiesAnExpandedTensor() throws {
        let e = try Tensor([1.0, 2.0]).expand([3, 2])
        let c = try e.contiguous()
        #expect(c.strides == [2, 1])
        #expect(try c.toArray(of: Double.self) == [1, 2, 1, 2, 1, 2])
    }

    @Test func isContiguousIgnoresStridesOfSizeOneDims() throws {
        // PyTorch: zeros(1, 3).t() (shape (3, 1), stride (1, 1)) is contiguous.
        #expect(try Tensor.zeros([1, 3]).t().isContiguous)
        #expect(try Tensor.zeros([2, 1, 3]).isContiguous)
    }

    @Test func isContiguousIsFalseForTransposedAndSteppedViews() throws {
        #expect(try !Tensor.zeros([2, 3]).t().isContiguous)
        #expect(try !Tensor.zeros([6]).slice(dim: 0, step: 2).isContiguous)
        #expect(try !Tensor.zeros([4, 4]).narrow(dim: 1, start: 0, length: 2).isContiguous)
    }

    @Test func aRowNarrowIsContiguousWithAnOffset() throws {
        let n = try Tensor.zeros([4, 4]).narrow(dim: 0, start: 1, length: 2)
        #expect(n.isContiguous)
        #expect(n.offset == 4)
    }
}
