import SwiftTorch
import Testing

// A Swift number used as an operand stays a number until the elementwise rule converts it
// on the host into the compute dtype (no `_to_copy` dispatch), possibly sharing its
// wrapped tensor (or, for another shape, its storage) with an earlier call that used the
// same number. These pin the values and dtypes PyTorch
// gives, and that sharing never leaks between calls, dtypes or in-place writes.

@Suite("Swift numbers as operands")
struct ScalarOperandTests {
    @Test func aNumberTakesTheTensorsFloatTypeAndAnIntKeepsIntegers() throws {
        let f = try Tensor([1.5, -2.0], shape: [2], dtype: .float32)
        #expect(try (f + 2.25).toArray(of: Double.self) == [3.75, 0.25])
        #expect(try (f * 0.5).dtype == .float32)
        let d = try Tensor([1.0, 3.0], shape: [2], dtype: .float64)
        #expect(try (d - 1).dtype == .float64)
        #expect(try (1 - d).toArray(of: Double.self) == [0, -2])
        let i = try Tensor([3.0, -7.0], shape: [2], dtype: .int64)
        #expect(try (i * 2).dtype == .int64)
        #expect(try (i * 2).toArray(of: Int.self) == [6, -14])
        // int tensor with a float number: the default float type, as PyTorch.
        let mixed = try i * 2.5
        #expect(mixed.dtype == .float32)
        #expect(try mixed.toArray(of: Double.self) == [7.5, -17.5])
        let i32 = try Tensor([5.0], shape: [1], dtype: .int32)
        #expect(try (i32 + 1).dtype == .int32)
    }

    @Test func theSameNumberInDifferentDTypesAndOrdersStaysRight() throws {
        let f = try Tensor([1.0, 2.0], shape: [2], dtype: .float32)
        let i = try Tensor([1.0, 2.0], shape: [2], dtype: .int64)
        for _ in 0..<3 {
            #expect(try (f * 3).toArray(of: Double.self) == [3, 6])
            #expect(try (i * 3).toArray(of: Int.self) == [3, 6])
            #expect(try (3 - f).toArray(of: Double.self) == [2, 1])
            #expect(try (f / 3.0).toArray(of: Float.self) == [Float(1) / 3, Float(2) / 3])
        }
        // 0.1 rounds once, straight to float32 (not through a float32 of a float64 tensor twice).
        #expect(try (f * 0.1).toArray(of: Float.self) == [Float(0.1), Float(2) * Float(0.1)])
    }

    @Test func anInPlaceWriteNeverReachesANumberAnotherCallUses() throws {
        let x = try Tensor([1.0, 2.0], shape: [2], dtype: .float32)
        _ = try x + 5.0                      // 5.0 is now a shared one-element storage
        let y = try Tensor([0.0, 0.0], shape: [2], dtype: .float32)
        try y.add_(5.0)
        try y.mul_(2.0)
        #expect(try y.toArray(of: Double.self) == [10, 10])
        #expect(try (x + 5.0).toArray(of: Double.self) == [6, 7])
    }

    @Test func aNumberBroadcastsToAnyShapeAndRank() throws {
        let x = try Tensor.ones([2, 3, 4])
        let r = try x * 2.0
        #expect(r.shape == [2, 3, 4])
        #expect(try r.sum().item() == 48)
        let zeroD = try Tensor(4.0, dtype: .float32)
        #expect(try (zeroD + 1).item() == 5)
        let empty = try Tensor.ones([0, 3])
        #expect(try (empty * 7.0).shape == [0, 3])
    }

    @Test func oneNumberAcrossShapesRanksAndThreadsKeepsEachCallsShape() async throws {
        // More shapes than the cache holds, so entries are replaced while others are in use.
        let shapes = (1...20).map { [$0, 3] } + [[], [4], [2, 2, 2]]
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for shape in shapes {
                group.addTask {
                    let x = try Tensor.ones(shape)
                    for _ in 0..<20 {
                        let r = try x + 0.75
                        guard r.shape == shape, try r.toArray(of: Double.self).allSatisfy({ $0 == 1.75 }) else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
        // A number that fed a recorded operation is still only an operand: its gradient
        // goes to the tensor, and the next call with that number is unaffected.
        let w = try Tensor([1.0, 2.0], shape: [2], dtype: .float32).requiringGrad()
        try (w * 0.75).sum().backward()
        #expect(try w.grad!.toArray(of: Double.self) == [0.75, 0.75])
        let plain = try Tensor([4.0, 8.0], shape: [2], dtype: .float32) * 0.75
        #expect(!plain.requiresGrad)
        #expect(try plain.toArray(of: Double.self) == [3, 6])
    }

    @Test func gradientsFlowThroughOperationsWithNumbers() throws {
        let x = try Tensor([1.0, 2.0], shape: [2], dtype: .float64).requiringGrad()
        try ((2.0 - x) * 3.0 + x.pow(2)).sum().backward()
        // d/dx [3(2 - x) + x^2] = -3 + 2x
        #expect(try x.grad!.toArray(of: Double.self) == [-1, 1])
    }
}
