import Foundation
import SwiftTorch
import SwiftTorchCore
import Testing

// masked_fill, tril/triu, leaky_relu, elu, split and chunk through the Swift API, on every
// CPU backend: values, views, gradients and the errors bad input raises.

private func values(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

@Suite("Sequence operators: masking, activations, splitting", .serialized)
struct SequenceOpTests {
    static let backends = ["reference", "openmp"]

    @Test("masked_fill puts the value where the mask is true, broadcasting self and mask", arguments: backends)
    func maskedFillBroadcasts(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try Tensor([[1.0, 2, 3]])
            let mask = try Tensor([[1.0], [0.0]]).gt(0.5)
            let out = try x.maskedFill(mask, value: -9)
            #expect(out.shape == [2, 3])
            #expect(try values(out) == [-9, -9, -9, 1, 2, 3])
        }
    }

    @Test("masked_fill with a 0-d tensor value gives the value the masked positions' gradient", arguments: backends)
    func maskedFillTensorValueGradient(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try Tensor([1.0, 2, 3, 4]).requiringGrad()
            let value = try Tensor([5.0], shape: [], dtype: .float32).requiringGrad()
            let mask = try Tensor([1.0, 0, 1, 1]).gt(0.5)
            let out = try x.maskedFill(mask, value: value)
            #expect(try values(out) == [5, 2, 5, 5])
            try (out * Tensor([1.0, 10, 100, 1000])).sum().backward()
            #expect(try values(try #require(x.grad)) == [0, 10, 0, 0])
            #expect(try values(try #require(value.grad)) == [1101])
        }
    }

    @Test("masked_fill refuses a non-bool mask and a value with dimensions")
    func maskedFillErrors() throws {
        let x = try Tensor([1.0, 2])
        expectTorchError(.dtypeMismatch, mentioning: ["masked_fill", "bool", "float32"]) { try x.maskedFill(x, value: 0) }
        expectTorchError(.shapeMismatch, mentioning: ["masked_fill", "0-d", "[2]"]) { try x.maskedFill(try x.gt(0.0), value: x) }
    }

    @Test("tril and triu keep their triangle of each matrix of a view", arguments: backends)
    func trianglesOfAView(backend: String) throws {
        try Runtime.withBackend(backend) {
            // The transpose of [[1, 2, 3], [4, 5, 6]]: a non-contiguous [3, 2] view.
            let x = try Tensor([[1.0, 2, 3], [4, 5, 6]]).t()
            #expect(try values(x.tril()) == [1, 0, 2, 5, 3, 6])
            #expect(try values(x.triu()) == [1, 4, 0, 5, 0, 0])
            #expect(try values(x.triu(diagonal: 1)) == [0, 4, 0, 0, 0, 0])
            #expect(try values(x.tril(diagonal: -1)) == [0, 0, 2, 0, 3, 6])
            #expect(try values(x.tril(diagonal: Int.max)) == [1, 4, 2, 5, 3, 6])
            #expect(try values(x.triu(diagonal: Int.min)) == [1, 4, 2, 5, 3, 6])
        }
    }

    @Test("tril of a bool matrix is a causal mask", arguments: backends)
    func boolTriangle(backend: String) throws {
        try Runtime.withBackend(backend) {
            let ones = try Tensor.full([3, 3], 1, dtype: .bool)
            #expect(try ones.tril().dtype == .bool)
            #expect(try values(ones.tril()) == [1, 0, 0, 1, 1, 0, 1, 1, 1])
        }
    }

    @Test("tril needs a matrix")
    func trilNeedsTwoDims() throws {
        expectTorchError(.shapeMismatch, mentioning: ["tril", "2 dimensions", "[3]"]) { try Tensor([1.0, 2, 3]).tril() }
    }

    @Test("leaky_relu and elu follow PyTorch's formulas and slopes", arguments: backends)
    func activations(backend: String) throws {
        try Runtime.withBackend(backend) {
            let x = try Tensor([-2.0, 0, 3], dtype: .float64)
            #expect(try values(x.leakyRelu()) == [-0.02, 0, 3])
            #expect(try values(x.leakyRelu(negativeSlope: 0.5)) == [-1, 0, 3])
            let e = try values(x.elu(alpha: 2))
            #expect(Swift.abs(e[0] - 2 * (Foundation.exp(-2.0) - 1)) < 1e-6 && e[1] == 0 && e[2] == 3)
            let x64 = try Tensor([-1.0, 0, 2], dtype: .float64).requiringGrad()
            try x64.elu(alpha: 1.5, scale: 2, inputScale: 3).sum().backward()
            let g = try values(try #require(x64.grad))
            #expect(Swift.abs(g[0] - 2 * 1.5 * 3 * Foundation.exp(-3.0)) < 1e-12)
            #expect(g[1] == 2 * 1.5 * 3 && g[2] == 2)
        }
    }

    @Test("leaky_relu and elu refuse integer tensors, as PyTorch does")
    func activationsNeedFloats() throws {
        let ints = try Tensor([Int64(1), -2], shape: [2], dtype: .int64)
        expectTorchError(.dtypeMismatch, mentioning: ["leaky_relu", "int64"]) { try ints.leakyRelu() }
        expectTorchError(.dtypeMismatch, mentioning: ["elu", "int64"]) { try ints.elu() }
    }

    @Test("split, split with sizes and chunk return views that share the input's storage")
    func splitsAreViews() throws {
        let x = try Tensor((0..<10).map(Double.init), shape: [2, 5], dtype: .float32)
        let pieces = try x.split(2, dim: 1)
        #expect(pieces.map(\.shape) == [[2, 2], [2, 2], [2, 1]])
        #expect(pieces.allSatisfy { $0.storage === x.storage })
        #expect(try values(pieces[2]) == [4, 9])
        #expect(try x.split(sizes: [1, 0, 4], dim: -1).map(\.shape) == [[2, 1], [2, 0], [2, 4]])
        #expect(try x.chunk(3, dim: 1).map(\.shape) == [[2, 2], [2, 2], [2, 1]])
        #expect(try x.chunk(9, dim: 1).count == 5)
        #expect(try Tensor.zeros([0, 2]).chunk(3).map(\.shape) == [[0, 2], [0, 2], [0, 2]])
        #expect(try Tensor.zeros([0, 2]).split(2).map(\.shape) == [[0, 2]])
    }

    @Test("gradients flow back through every piece of a split")
    func splitGradients() throws {
        let x = try Tensor([1.0, 2, 3, 4, 5]).requiringGrad()
        let pieces = try x.chunk(2)
        try (pieces[0].sum() * 2 + pieces[1].sum() * 3).backward()
        #expect(try values(try #require(x.grad)) == [2, 2, 2, 3, 3])
    }

    @Test("splits refuse bad sizes, chunk counts and 0-d tensors, naming the rule")
    func splitErrors() throws {
        let x = try Tensor([1.0, 2, 3, 4, 5])
        expectTorchError(.invalidArgument, mentioning: ["split", "0", "5"]) { try x.split(0) }
        expectTorchError(.invalidArgument, mentioning: ["split", "non-negative", "-1"]) { try x.split(-1) }
        expectTorchError(.shapeMismatch, mentioning: ["split_with_sizes", "sum exactly to 5", "[2, 2]"]) { try x.split(sizes: [2, 2]) }
        expectTorchError(.invalidArgument, mentioning: ["split_with_sizes", "non-negative"]) { try x.split(sizes: [6, -1]) }
        expectTorchError(.invalidArgument, mentioning: ["chunk", "greater than 0", "0"]) { try x.chunk(0) }
        expectTorchError(.shapeMismatch, mentioning: ["chunk", "1-dimensional", "0-d"]) { try Tensor([1.0], shape: [], dtype: .float32).chunk(1) }
        expectTorchError(.invalidArgument, mentioning: ["chunk", "empty"]) { try Tensor.zeros([0]).chunk(Int.max) }
        expectTorchError(.dimOutOfRange, mentioning: ["split"]) { try x.split(1, dim: 3) }
    }
}
