@testable import SwiftTorch
import Testing

// Memory, undefined-behaviour and consistency bugs the operator fuzzer found in backend kernels, one test
// per class. Each asserts the values, so it fails in a plain build when the bug corrupts
// them; scripts/sanitizers.sh also runs this suite under AddressSanitizer and UBSan, which
// report the out-of-bounds access or the overflow itself.

private let cpuBackends = ["reference", "openmp", "blas"]

@Suite("Kernel bugs the fuzzer found stay fixed")
struct KernelMemoryTests {
    /// A bool view of shape [4, 4, 3, 2] with strides [384, 48, 4, 2] over 1,536 elements:
    /// the case that made openmp's `st_reduce_i64` write int64 results into the 1-byte
    /// elements of amin's bool output, 8 times past its end (`free(): invalid next size`).
    private static func stridedBools() throws -> (view: Tensor, storage: [Bool]) {
        let storage = (0..<1536).map { ($0 * 7 + 3) % 5 != 0 }
        let base = try Tensor(storage, shape: [1536])
        return (try base.asStrided(shape: [4, 4, 3, 2], strides: [384, 48, 4, 2], offset: 0), storage)
    }

    @Test("amin and amax of a strided bool view over dim 1, keepdim, give bool results on every CPU backend",
          arguments: cpuBackends, [true, false])
    func extremaOfStridedBoolView(backend: String, largest: Bool) throws {
        let (view, storage) = try Self.stridedBools()
        var expected: [Bool] = []
        for i in 0..<4 {
            for k in 0..<3 {
                for l in 0..<2 {
                    let column = (0..<4).map { storage[i * 384 + $0 * 48 + k * 4 + l * 2] }
                    expected.append(largest ? column.contains(true) : column.allSatisfy { $0 })
                }
            }
        }
        let result = try Runtime.withBackend(backend) {
            largest ? try view.amax(dim: [1], keepdim: true) : try view.amin(dim: [1], keepdim: true)
        }
        #expect(result.dtype == .bool)
        #expect(result.shape == [4, 1, 3, 2])
        #expect(try result.toArray(of: Bool.self) == expected)
    }

    @Test("amax and amin of bool over every dim give a 0-d bool on every CPU backend", arguments: cpuBackends)
    func extremaOfBoolOverEveryDim(backend: String) throws {
        let x = try Tensor([false, true, false, false, true], shape: [5])
        let (largest, smallest) = try Runtime.withBackend(backend) { (try x.amax(keepdim: true), try x.amin()) }
        #expect(largest.shape == [1] && largest.dtype == .bool)
        #expect(try largest.toArray(of: Bool.self) == [true])
        #expect(smallest.shape == [] && smallest.dtype == .bool)
        #expect(try smallest.item(Bool.self) == false)
    }

    @Test("bool add with an alpha at Int64's limit wraps like the reference (no signed overflow in C)",
          arguments: cpuBackends)
    func boolAddWithHugeAlpha(backend: String) throws {
        let x = try Tensor([true, false, true, false], shape: [4])
        let y = try Tensor([true, true, false, false], shape: [4])
        // 1 + Int64.max wraps to Int64.min, which is not zero: true, as x + alpha * y != 0.
        let sum = try Runtime.withBackend(backend) { try x.add(y, alpha: 0x1p63) }
        #expect(sum.dtype == .bool)
        #expect(try sum.toArray(of: Bool.self) == [true, true, true, false])
    }

    @Test("index_add with an integer alpha at Int64's limit wraps as PyTorch on every CPU backend (no trapping conversion)",
          arguments: cpuBackends)
    func indexAddWithHugeIntegerAlpha(backend: String) throws {
        let base = try Tensor([Int64](repeating: 0, count: 4), shape: [2, 2])
        let source = try Tensor([Int64(1), 2, 3, 4], shape: [2, 2])
        let index = try Tensor([Int64(0), 1], shape: [2])
        let alpha = ArgumentValue.int(Int.max)
        let sum = try Runtime.withBackend(backend) {
            try Runtime.dispatcher().call(Op.indexAdd, [.tensor(base), .int(0), .tensor(index), .tensor(source)], [("alpha", alpha)])[0]
        }
        // torch.index_add(zeros, 0, [0, 1], [[1, 2], [3, 4]], alpha=2**63 - 1)
        #expect(try sum.toArray(of: Int64.self) == [Int64.max, -2, Int64.max - 2, -4])
    }

    @Test("avg_pool2d and its gradient take a negative divisor_override on every CPU backend, as PyTorch",
          arguments: cpuBackends)
    func averagePoolingWithNegativeDivisor(backend: String) throws {
        // openmp's kernels refused any divisor_override < 0 with an internal error.
        let x = try Tensor.arange(25, dtype: .float64).reshape([1, 1, 5, 5])
        x.requiresGrad = true
        let y = try Runtime.withBackend(backend) {
            let y = try avgPool2d(x, kernelSize: 2, divisorOverride: -2)
            try y.sum().backward()
            return y
        }
        // torch.nn.functional.avg_pool2d(arange(25.).reshape(1, 1, 5, 5), 2, divisor_override=-2)
        #expect(try y.toArray(of: Double.self) == [-6, -10, -26, -30])
        let grad = try #require(x.grad)
        let expected = (0..<25).map { $0 % 5 < 4 && $0 < 20 ? -0.5 : 0.0 }
        #expect(try grad.toArray(of: Double.self) == expected)
    }

    @Test("index_add into a 0-d self takes exactly one index on every CPU backend, as PyTorch", arguments: cpuBackends)
    func indexAddIntoZeroDimensionalSelf(backend: String) throws {
        // The meta rule let four indices through; the reference added once, openmp's kernel
        // refused with an internal error.
        let base = try Tensor(1.0), source = try Tensor(2.0)
        let (one, four) = (try Tensor([Int64(0)], shape: [1]), try Tensor([Int64(-1), 0, 0, 0], shape: [4]))
        // torch.index_add(tensor(1.), 0, tensor([0]), tensor(2.)) == tensor(3.)
        let sum = try Runtime.withBackend(backend) { try base.indexAdd(dim: 0, index: one, source: source) }
        #expect(try sum.item() == 3.0)
        #expect(throws: TorchError.self) {
            try Runtime.withBackend(backend) { try base.indexAdd(dim: 0, index: four, source: source) }
        }
    }

    @Test("max_pool2d with a one-tap window and a huge dilation pools as PyTorch on every CPU backend", arguments: cpuBackends)
    func maxPoolingWithHugeDilation(backend: String) throws {
        // The reference computed each window's end as start + kernel * dilation, which
        // overflowed; one tap never reaches past its start, whatever the dilation.
        let x = try Tensor.arange(25, dtype: .float32).reshape([1, 1, 5, 5])
        let (values, indices) = try Runtime.withBackend(backend) {
            try maxPool2dWithIndices(x, kernelSize: [3, 1], stride: 1, padding: [1, 0], dilation: [1, Int.max])
        }
        // torch.nn.functional.max_pool2d(arange(25.).reshape(1, 1, 5, 5), (3, 1), stride=1,
        // padding=(1, 0), dilation=(1, 2**31 - 1), return_indices=True)
        let expected = Array(5...24) + Array(20...24)
        #expect(try values.toArray(of: Int.self) == expected)
        #expect(try indices.toArray(of: Int.self) == expected)
    }
}
