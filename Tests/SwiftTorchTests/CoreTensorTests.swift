import SwiftTorch
import Testing

// The tensor object itself: geometry of new tensors, dtypes and devices by name, reading
// values back (item, toArray), the float-to-integer rule, and broadcasting.

@Suite("Tensor basics")
struct CoreTensorTests {
    @Test func newTensorsAreRowMajorWithOffsetZero() throws {
        let x = try Tensor.zeros([2, 3, 4])
        #expect(x.shape == [2, 3, 4])
        #expect(x.strides == [12, 4, 1])
        #expect(x.offset == 0)
        #expect(x.isContiguous)
        #expect(x.rank == 3)
        #expect(x.count == 24)
    }

    @Test func contiguousStridesTreatZeroSizesAsOne() {
        // PyTorch: torch.zeros(2, 0, 3).stride() == (3, 3, 1).
        #expect(Tensor.contiguousStrides(for: [2, 0, 3]) == [3, 3, 1])
        #expect(Tensor.contiguousStrides(for: []) == [])
    }

    @Test func zeroDimTensorHasOneElement() throws {
        let s = try Tensor(2.5)
        #expect(s.rank == 0)
        #expect(s.shape == [])
        #expect(s.count == 1)
    }

    @Test func emptyTensorHasNoElements() throws {
        let e = try Tensor.zeros([2, 0])
        #expect(e.count == 0)
        #expect(try e.toArray(of: Double.self) == [])
    }

    @Test func itemReadsTheOnlyElement() throws {
        #expect(try Tensor([[2.5]]).item() == 2.5)
        #expect(try Tensor(7).item(Int.self) == 7)
        #expect(try Tensor(true).item(Bool.self) == true)
    }

    @Test func itemOfSeveralElementsThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor([1.0, 2.0]).item() }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("item") == true)
        #expect(error?.message.contains("[2]") == true)
    }

    @Test func toArrayConvertsToTheRequestedSwiftType() throws {
        let x = try Tensor([1.5, -2.0, 3.25])
        #expect(try x.toArray(of: Float.self) == [1.5, -2.0, 3.25])
        #expect(try x.toArray(of: Double.self) == [1.5, -2.0, 3.25])
        // Float to integer truncates toward zero, as PyTorch's .long().
        #expect(try x.toArray(of: Int.self) == [1, -2, 3])
    }

    @Test func toArrayOfBoolTensor() throws {
        #expect(try Tensor([true, false]).toArray(of: Bool.self) == [true, false])
        #expect(try Tensor([true, false]).toArray(of: Int.self) == [1, 0])
    }

    @Test func float32StoresTheRoundedValue() throws {
        // 0.1 is not a float32: the nearest one is 0.100000001490116...
        #expect(try Tensor([0.1]).toArray(of: Double.self) == [Double(Float(0.1))])
        #expect(try Tensor([0.1], dtype: .float64).toArray(of: Double.self) == [0.1])
    }

    @Test func floatToIntegerConversionTruncatesSaturatesAndMapsNaNToZero() throws {
        let x = try Tensor([2.7, -2.7, .nan, .infinity, -.infinity], dtype: .float64)
        let i = try x.to(.int64)
        #expect(i.dtype == .int64)
        #expect(try i.toArray(of: Int64.self) == [2, -2, 0, .max, .min])
    }

    @Test func int64ValuesBeyondTwoToThe53SurviveExactly() throws {
        let big: Int64 = (1 << 53) + 1
        #expect(try Tensor([big]).toArray(of: Int64.self) == [big])
    }

    @Test func toSameDTypeReturnsTheSameObject() throws {
        let x = try Tensor([1.0])
        #expect(try x.to(.float32) === x)
    }

    @Test func cloneHasItsOwnStorage() throws {
        let x = try Tensor([1.0, 2.0])
        let c = try x.clone()
        #expect(c.storage !== x.storage)
        #expect(try c.toArray(of: Double.self) == [1, 2])
    }

    @Test func dtypeItemSizes() {
        #expect(DType.bool.itemSize == 1)
        #expect(DType.int32.itemSize == 4)
        #expect(DType.int64.itemSize == 8)
        #expect(DType.float32.itemSize == 4)
        #expect(DType.float64.itemSize == 8)
    }

    @Test func dtypeParsesPyTorchSpellings() {
        #expect(DType(name: "torch.float32") == .float32)
        #expect(DType(name: "float") == .float32)
        #expect(DType(name: "double") == .float64)
        #expect(DType(name: "long") == .int64)
        #expect(DType(name: "int") == .int32)
        #expect(DType(name: "bool") == .bool)
        #expect(DType(name: "float16") == nil)
    }

    @Test func deviceParsesNames() {
        #expect(Device(name: "cpu") == .cpu)
        #expect(Device(name: "cuda") == .cuda(0))
        #expect(Device(name: "cuda:1") == .cuda(1))
        #expect(Device(name: "cuda:-1") == nil)
        #expect(Device(name: "tpu") == nil)
        #expect(Device.cuda(1).description == "cuda:1")
    }

    @Test func newTensorsLiveOnTheCPU() throws {
        #expect(try Tensor.zeros([2]).device == .cpu)
    }
}

@Suite("Broadcasting")
struct BroadcastingTests {
    @Test func columnPlusRowGivesAMatrix() throws {
        let column = try Tensor([[0], [10], [20]])
        let row = try Tensor([[1, 2, 3, 4]])
        let r = try column + row
        #expect(r.shape == [3, 4])
        #expect(try r.toArray(of: Int.self) == [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24])
    }

    @Test func shorterShapeAlignsOnTheRight() throws {
        let r = try Tensor.ones([2, 1, 3]) + Tensor.ones([5, 1])
        #expect(r.shape == [2, 5, 3])
    }

    @Test func sizeZeroBroadcastsAgainstSizeOne() throws {
        let r = try Tensor.ones([0, 3]) + Tensor.ones([1, 3])
        #expect(r.shape == [0, 3])
    }

    @Test func zeroDimTensorBroadcastsToAnyShape() throws {
        let r = try Tensor(10) * Tensor([[1, 2], [3, 4]])
        #expect(r.shape == [2, 2])
        #expect(try r.toArray(of: Int.self) == [10, 20, 30, 40])
    }

    @Test func incompatibleShapesThrowNamingTheOperatorAndBothShapes() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.ones([2, 3]) + Tensor.ones([4, 3]) }
        #expect(error?.kind == .shapeMismatch)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("add:"))
        #expect(message.contains("[2, 3]"))
        #expect(message.contains("[4, 3]"))
    }

    @Test func incompatibleShapesInComparisonNameTheComparison() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.ones([3]).lt(Tensor.ones([4])) }
        #expect(error?.message.hasPrefix("lt:") == true)
        #expect(error?.message.contains("[3]") == true)
        #expect(error?.message.contains("[4]") == true)
    }

    @Test func whereBroadcastsConditionAndBothBranches() throws {
        let condition = try Tensor([true, false])
        let r = try `where`(condition, Tensor([[1.0], [2.0]]), Tensor(0.0))
        #expect(r.shape == [2, 2])
        #expect(try r.toArray(of: Double.self) == [1, 0, 2, 0])
    }

    @Test func matmulBroadcastsBatchDims() throws {
        let r = try Tensor.ones([2, 1, 2, 3]).matmul(Tensor.ones([5, 3, 4]))
        #expect(r.shape == [2, 5, 2, 4])
        #expect(try r.toArray(of: Double.self).allSatisfy { $0 == 3 })
    }
}
