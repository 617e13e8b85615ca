import SwiftTorch
import Testing

// Creation functions. Expected values are PyTorch's (torch.arange, torch.linspace, ...),
// worked out by hand; random functions are checked for reproducibility and range.

private func doubles(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

@Suite("Creation from values")
struct NestedArrayCreationTests {
    @Test func nestedDoublesGiveFloat32WithTheirShape() throws {
        let x = try Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        #expect(x.shape == [2, 3])
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [1, 2, 3, 4, 5, 6])
    }

    @Test func swiftIntsGiveInt64() throws {
        let x = try Tensor([[[1, 2]], [[3, 4]]])
        #expect(x.shape == [2, 1, 2])
        #expect(x.dtype == .int64)
    }

    @Test func swiftBoolsGiveBool() throws {
        #expect(try Tensor([true, false]).dtype == .bool)
    }

    @Test func floatsAndInt32sKeepTheirWidth() throws {
        #expect(try Tensor([Float(1)]).dtype == .float32)
        #expect(try Tensor([Int32(1)]).dtype == .int32)
    }

    @Test func aSingleNumberGivesAZeroDimTensor() throws {
        let x = try Tensor(1.5)
        #expect(x.shape == [])
        #expect(x.dtype == .float32)
        #expect(try x.item() == 1.5)
    }

    @Test func anEmptyArrayGivesShapeZero() throws {
        let x = try Tensor([Double]())
        #expect(x.shape == [0])
        #expect(x.dtype == .float32)
    }

    @Test func explicitDTypeConvertsTheValues() throws {
        let x = try Tensor([1.9, -1.9], dtype: .int64)
        #expect(x.dtype == .int64)
        #expect(try x.toArray(of: Int.self) == [1, -1])
        #expect(try Tensor([1, 2], dtype: .float64).dtype == .float64)
    }

    @Test func raggedArraysThrow() throws {
        let error = #expect(throws: TorchError.self) { try Tensor([[1, 2], [3]]) }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.message.contains("ragged") == true)
    }

    @Test func raggedArraysThrowAtAnyDepth() throws {
        #expect(throws: TorchError.self) { try Tensor([[[1.0], [2.0]], [[3.0]]]) }
    }

    @Test func valuesThatDoNotFillTheShapeThrow() throws {
        let error = #expect(throws: TorchError.self) { try Tensor([1.0, 2.0, 3.0], shape: [2, 2]) }
        #expect(error?.kind == .shapeMismatch)
        #expect(error?.message.contains("[2, 2]") == true)
    }
}

@Suite("Factory functions")
struct FactoryTests {
    @Test func zerosAreFloat32ByDefault() throws {
        let x = try Tensor.zeros([2, 3])
        #expect(x.shape == [2, 3])
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [0, 0, 0, 0, 0, 0])
    }

    @Test func onesOfTheRequestedDType() throws {
        let x = try Tensor.ones([3], dtype: .int32)
        #expect(x.dtype == .int32)
        #expect(try x.toArray(of: Int.self) == [1, 1, 1])
    }

    @Test func zerosLikeCopiesShapeAndDType() throws {
        let x = try Tensor.zeros(like: Tensor([[1, 2, 3]]))
        #expect(x.shape == [1, 3])
        #expect(x.dtype == .int64)
    }

    @Test func fullFillsEveryElement() throws {
        let x = try Tensor.full([2, 2], 7.5)
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [7.5, 7.5, 7.5, 7.5])
    }

    @Test func fullWithIntegerDTypeTruncates() throws {
        #expect(try Tensor.full([2], 3.9, dtype: .int64).toArray(of: Int.self) == [3, 3])
    }

    @Test func zeroDimFull() throws {
        let x = try Tensor.full([], 2)
        #expect(x.shape == [])
        #expect(try x.item() == 2)
    }

    @Test func arangeOfAnIntIsInt64FromZero() throws {
        let x = try Tensor.arange(5)
        #expect(x.dtype == .int64)
        #expect(try x.toArray(of: Int.self) == [0, 1, 2, 3, 4])
    }

    @Test func arangeWithIntegerStepExcludesTheEnd() throws {
        #expect(try Tensor.arange(0, 10, step: 3).toArray(of: Int.self) == [0, 3, 6, 9])
        #expect(try Tensor.arange(2, 10, step: 4).toArray(of: Int.self) == [2, 6])
    }

    @Test func arangeWithNegativeStepCountsDown() throws {
        #expect(try Tensor.arange(5, 0, step: -2).toArray(of: Int.self) == [5, 3, 1])
    }

    @Test func arangeWithFloatStepIsFloat32() throws {
        let x = try Tensor.arange(0.0, 1.0, step: 0.25)
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [0, 0.25, 0.5, 0.75])
    }

    @Test func arangeWithInexactFloatStepHasCeilOfTheCount() throws {
        // PyTorch: torch.arange(1.0, 2.0, 0.3) has 4 elements, [1.0, 1.3, 1.6, 1.9].
        let x = try Tensor.arange(1.0, 2.0, step: 0.3)
        let expected = [1.0, 1.3, 1.6, 1.9]
        #expect(x.shape == [4])
        for (a, e) in zip(try doubles(x), expected) { #expect(abs(a - e) < 1e-6) }
    }

    @Test func arangeWithNegativeFloatStep() throws {
        #expect(try doubles(Tensor.arange(1.0, -1.0, step: -0.5)) == [1, 0.5, 0, -0.5])
    }

    @Test func arangeWithEqualBoundsIsEmpty() throws {
        #expect(try Tensor.arange(3, 3).shape == [0])
    }

    @Test func arangeWithExplicitFloatDType() throws {
        let x = try Tensor.arange(3, dtype: .float64)
        #expect(x.dtype == .float64)
        #expect(try doubles(x) == [0, 1, 2])
    }

    @Test func arangeWithZeroStepThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.arange(0, 5, step: 0) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.hasPrefix("arange:") == true)
    }

    @Test func arangeWithStepAgainstTheBoundsThrows() throws {
        #expect(throws: TorchError.self) { try Tensor.arange(0, 5, step: -1) }
        #expect(throws: TorchError.self) { try Tensor.arange(5.0, 0.0, step: 1) }
    }

    @Test func linspaceIncludesBothEnds() throws {
        let x = try Tensor.linspace(0, 1, steps: 5)
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [0, 0.25, 0.5, 0.75, 1])
    }

    @Test func linspaceWithThirds() throws {
        // PyTorch: torch.linspace(-1, 1, 4) == [-1, -0.3333, 0.3333, 1] (float32).
        let x = try doubles(Tensor.linspace(-1, 1, steps: 4))
        #expect(x.first == -1)
        #expect(x.last == 1)
        #expect(abs(x[1] + 1.0 / 3) < 1e-7)
        #expect(abs(x[2] - 1.0 / 3) < 1e-7)
    }

    @Test func linspaceIsExactAtTheEndsAndSymmetric() throws {
        // PyTorch: torch.linspace(0, 10, 3) == [0, 5, 10]; with 7 steps from 0 to 1 the middle is 0.5.
        #expect(try doubles(Tensor.linspace(0, 10, steps: 3)) == [0, 5, 10])
        let seven = try doubles(Tensor.linspace(0, 1, steps: 7))
        #expect(seven[3] == 0.5)
        #expect(seven[6] == 1)
    }

    @Test func linspaceWithOneStepIsTheStart() throws {
        #expect(try doubles(Tensor.linspace(2, 3, steps: 1)) == [2])
    }

    @Test func linspaceWithZeroStepsIsEmpty() throws {
        #expect(try Tensor.linspace(0, 1, steps: 0).shape == [0])
    }

    @Test func linspaceWithNegativeStepsThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.linspace(0, 1, steps: -1) }
        #expect(error?.message.hasPrefix("linspace:") == true)
    }

    @Test func eyeIsTheIdentity() throws {
        let x = try Tensor.eye(3)
        #expect(x.shape == [3, 3])
        #expect(x.dtype == .float32)
        #expect(try doubles(x) == [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }

    @Test func eyeWithMoreColumns() throws {
        #expect(try doubles(Tensor.eye(2, 3)) == [1, 0, 0, 0, 1, 0])
    }

    @Test func eyeWithMoreRows() throws {
        let x = try Tensor.eye(3, 2, dtype: .int64)
        #expect(x.shape == [3, 2])
        #expect(try x.toArray(of: Int.self) == [1, 0, 0, 1, 0, 0])
    }

    @Test func negativeSizesThrow() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.zeros([2, -1]) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("[2, -1]") == true)
    }
}

@Suite("Random creation")
struct RandomCreationTests {
    @Test func randIsReproducibleWithTheSameSeed() throws {
        let a = try doubles(Tensor.rand([100], generator: Generator(seed: 42)))
        let b = try doubles(Tensor.rand([100], generator: Generator(seed: 42)))
        #expect(a == b)
    }

    @Test func differentSeedsGiveDifferentValues() throws {
        let a = try doubles(Tensor.rand([100], generator: Generator(seed: 1)))
        let b = try doubles(Tensor.rand([100], generator: Generator(seed: 2)))
        #expect(a != b)
    }

    @Test func manualSeedRestartsAGenerator() throws {
        let g = Generator(seed: 7)
        let first = try doubles(Tensor.randn([10], generator: g))
        let second = try doubles(Tensor.randn([10], generator: g))
        #expect(first != second)
        g.manualSeed(7)
        #expect(try doubles(Tensor.randn([10], generator: g)) == first)
    }

    @Test func randValuesLieInTheHalfOpenUnitInterval() throws {
        let x = try Tensor.rand([10_000], generator: Generator(seed: 3))
        #expect(x.dtype == .float32)
        #expect(x.shape == [10_000])
        let v = try doubles(x)
        #expect(v.allSatisfy { $0 >= 0 && $0 < 1 })
        // Uniform: the mean is 1/2 (standard error 0.003).
        #expect(abs(v.reduce(0, +) / Double(v.count) - 0.5) < 0.02)
    }

    @Test func randFloat32NeverRoundsUpToOne() throws {
        // Seed 39061301's first draw is 1 - 2.45e-8, which is 1.0 once rounded to float32.
        // torch.rand draws 24 random bits for float32, so it can never return 1.
        let v = try Tensor.rand([1], generator: Generator(seed: 39_061_301)).item()
        #expect(v < 1)
    }

    @Test func randFloat64KeepsFloat64() throws {
        #expect(try Tensor.rand([2], dtype: .float64, generator: Generator(seed: 1)).dtype == .float64)
    }

    @Test func randnHasMeanZeroAndStandardDeviationOne() throws {
        let v = try doubles(Tensor.randn([10_000], generator: Generator(seed: 11)))
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)
        // Standard errors: 0.01 for the mean, about 0.007 for the standard deviation.
        #expect(abs(mean) < 0.05)
        #expect(abs(variance.squareRoot() - 1) < 0.05)
    }

    @Test func randnOfOddCountHasThatCount() throws {
        #expect(try Tensor.randn([3, 3], generator: Generator(seed: 1)).count == 9)
    }

    @Test func randintStaysInItsRangeAndReachesEveryValue() throws {
        let x = try Tensor.randint(low: -3, high: 4, [1000], generator: Generator(seed: 5))
        #expect(x.dtype == .int64)
        let v = try x.toArray(of: Int.self)
        #expect(v.allSatisfy { (-3..<4).contains($0) })
        #expect(Set(v) == Set(-3..<4))
    }

    @Test func randintIsReproducibleWithTheSameSeed() throws {
        let a = try Tensor.randint(high: 100, [50], generator: Generator(seed: 9)).toArray(of: Int.self)
        let b = try Tensor.randint(high: 100, [50], generator: Generator(seed: 9)).toArray(of: Int.self)
        #expect(a == b)
    }

    @Test func randintWithEmptyRangeThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.randint(low: 5, high: 5, [2]) }
        #expect(error?.message.hasPrefix("randint:") == true)
    }

    @Test func randOfAnIntegerDTypeThrows() throws {
        let error = #expect(throws: TorchError.self) { try Tensor.rand([2], dtype: .int64) }
        #expect(error?.kind == .dtypeMismatch)
        #expect(error?.message.contains("int64") == true)
    }
}
