import SwiftTorch
import Testing

// Type promotion follows PyTorch's `result_type`: categories bool < integer < floating point;
// tensors with dimensions outrank 0-d tensors, which outrank Swift numbers, unless the lower
// rank brings a higher category. Every expected dtype below is what PyTorch 2.x gives.

private func tensor(_ values: [Double], _ dtype: DType) throws -> Tensor { try Tensor(values, shape: [values.count], dtype: dtype) }
private func scalar(_ value: Double, _ dtype: DType) throws -> Tensor { try Tensor(value, dtype: dtype) }

@Suite("Type promotion")
struct PromotionTests {
    @Test func int64PlusFloat32IsFloat32() throws {
        let r = try tensor([1, 2], .int64) + tensor([0.5, 0.25], .float32)
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [1.5, 2.25])
    }

    @Test func int32PlusInt64IsInt64() throws {
        let r = try tensor([1, 2], .int32) + tensor([3, 4], .int64)
        #expect(r.dtype == .int64)
        #expect(try r.toArray(of: Int.self) == [4, 6])
    }

    @Test func boolPlusInt32IsInt32() throws {
        let r = try Tensor([true, false]) + tensor([10, 20], .int32)
        #expect(r.dtype == .int32)
        #expect(try r.toArray(of: Int.self) == [11, 20])
    }

    @Test func float32PlusFloat64IsFloat64() throws {
        let r = try tensor([1], .float32) + tensor([2], .float64)
        #expect(r.dtype == .float64)
    }

    @Test func float32TensorPlusSwiftDoubleStaysFloat32() throws {
        let r = try tensor([1, 2], .float32) + 2.5
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [3.5, 4.5])
    }

    @Test func float64TensorPlusSwiftDoubleStaysFloat64() throws {
        #expect(try (tensor([1], .float64) + 2.5).dtype == .float64)
    }

    @Test func int64TensorPlusSwiftDoubleIsTheDefaultFloat() throws {
        let r = try tensor([1, 2], .int64) + 0.5
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [1.5, 2.5])
    }

    @Test func int32TensorPlusSwiftIntStaysInt32() throws {
        let r = try tensor([1, 2], .int32) + 5
        #expect(r.dtype == .int32)
        #expect(try r.toArray(of: Int.self) == [6, 7])
    }

    @Test func boolTensorPlusSwiftIntIsInt64() throws {
        let r = try Tensor([true, false]) + 1
        #expect(r.dtype == .int64)
        #expect(try r.toArray(of: Int.self) == [2, 1])
    }

    @Test func boolTensorTimesSwiftDoubleIsTheDefaultFloat() throws {
        #expect(try (Tensor([true, false]) * 2.0).dtype == .float32)
    }

    @Test func integerTrueDivisionIsTheDefaultFloat() throws {
        let r = try tensor([7, -7], .int64) / tensor([2, 2], .int64)
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [3.5, -3.5])
    }

    @Test func integerTensorDividedBySwiftIntIsTheDefaultFloat() throws {
        let r = try tensor([1, 3], .int32) / 2
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [0.5, 1.5])
    }

    @Test func float32WithDimsPlusZeroDimFloat64StaysFloat32() throws {
        let r = try tensor([1, 2], .float32) + scalar(0.5, .float64)
        #expect(r.dtype == .float32)
        #expect(try r.toArray(of: Double.self) == [1.5, 2.5])
    }

    @Test func int32WithDimsPlusZeroDimFloat64IsFloat64() throws {
        // The 0-d tensor brings a higher category, so its own dtype (not the default) wins.
        let r = try tensor([1, 2], .int32) + scalar(0.5, .float64)
        #expect(r.dtype == .float64)
        #expect(try r.toArray(of: Double.self) == [1.5, 2.5])
    }

    @Test func int32WithDimsPlusZeroDimInt64StaysInt32() throws {
        #expect(try (tensor([1], .int32) + scalar(5, .int64)).dtype == .int32)
    }

    @Test func zeroDimInt32PlusFloat64WithDimsIsFloat64() throws {
        #expect(try (scalar(1, .int32) + tensor([1], .float64)).dtype == .float64)
    }

    @Test func zeroDimFloat64PlusSwiftIntStaysFloat64() throws {
        #expect(try (scalar(2, .float64) + 1).dtype == .float64)
    }

    @Test func twoZeroDimTensorsPromoteNormally() throws {
        #expect(try (scalar(1, .int32) + scalar(1, .int64)).dtype == .int64)
    }

    @Test func comparisonsGiveBool() throws {
        let r = try tensor([1, 3], .int64).lt(tensor([2, 2], .float32))
        #expect(r.dtype == .bool)
        #expect(try r.toArray(of: Bool.self) == [true, false])
    }

    @Test func comparisonWithSwiftNumberGivesBool() throws {
        let r = try tensor([0.5, 1.5], .float32).gt(1.0)
        #expect(r.dtype == .bool)
        #expect(try r.toArray(of: Bool.self) == [false, true])
    }

    @Test func sumOfInt32IsInt64() throws {
        let s = try tensor([1, 2, 3], .int32).sum()
        #expect(s.dtype == .int64)
        #expect(try s.item(Int.self) == 6)
    }

    @Test func sumOfBoolCountsTrueAsInt64() throws {
        let s = try Tensor([true, false, true, true]).sum()
        #expect(s.dtype == .int64)
        #expect(try s.item(Int.self) == 3)
    }

    @Test func sumOfFloat32StaysFloat32() throws {
        #expect(try tensor([1, 2], .float32).sum().dtype == .float32)
    }

    @Test func meanOfInt64Throws() throws {
        let error = #expect(throws: TorchError.self) { try tensor([1, 2], .int64).mean() }
        #expect(error?.kind == .dtypeMismatch)
        #expect(error?.message.contains("mean") == true)
        #expect(error?.message.contains("int64") == true)
    }

    @Test func meanOfInt64WithFloatDTypeArgumentWorks() throws {
        let m = try tensor([1, 2], .int64).mean(dtype: .float32)
        #expect(m.dtype == .float32)
        #expect(try m.item() == 1.5)
    }

    @Test func promoteTypesTable() {
        // torch.promote_types for every pair that differs.
        #expect(DType.promote(.bool, .int32) == .int32)
        #expect(DType.promote(.bool, .float32) == .float32)
        #expect(DType.promote(.int32, .int64) == .int64)
        #expect(DType.promote(.int64, .float32) == .float32)
        #expect(DType.promote(.int64, .float64) == .float64)
        #expect(DType.promote(.float32, .float64) == .float64)
        #expect(DType.promote(.float64, .int32) == .float64)
        #expect(DType.promote(.int32, .bool) == .int32)
    }
}
