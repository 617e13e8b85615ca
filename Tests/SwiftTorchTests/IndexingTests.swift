import Testing
import SwiftTorch
import SwiftTorchCore

/// Multi-dimensional subscripts, read and written, against what PyTorch 2.15 gives for the
/// same Python subscripts on `torch.arange(24.).reshape(2, 3, 4)` (values and shapes were
/// printed by PyTorch on this machine and pasted here).
@Suite("Indexing")
struct IndexingTests {
    static func arange() throws -> Tensor { try Tensor.arange(0.0, 24.0).reshape([2, 3, 4]) }
    static func values(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

    @Test("integers (negative too), ranges and .all select as Python's x[i, a:b, :]")
    func basicReads() throws {
        let x = try Self.arange()
        #expect(try x[1].shape == [3, 4])
        #expect(try Self.values(x[1, 2]) == [20, 21, 22, 23])
        #expect(try x[-1, -1, -1].item() == 23)
        #expect(try x[0, 1, 2].shape == [])
        #expect(try Self.values(x[.all, 1, 0]) == [4, 16])                        // x[:, 1, 0]
        #expect(try Self.values(x[0, 1..<3, 0]) == [4, 8])                        // x[0, 1:3, 0]
        #expect(try Self.values(x[0, 0, 1...]) == [1, 2, 3])                      // x[0, 0, 1:]
        #expect(try Self.values(x[0, 0, ..<2]) == [0, 1])                         // x[0, 0, :2]
        #expect(try Self.values(x[0, 0, ...1]) == [0, 1])                         // x[0, 0, :2]
        #expect(try Self.values(x[0, 0, 1...2]) == [1, 2])                        // x[0, 0, 1:3]
        #expect(try Self.values(x[0, 0, -2 ... -1]) == [2, 3])                    // x[0, 0, -2:]
        #expect(try Self.values(x[0, 0, -3 ..< -1]) == [1, 2])                    // x[0, 0, -3:-1]
        #expect(try Self.values(x[0, 0, 1..<100]) == [1, 2, 3])                   // ends clamp as Python's do
        #expect(try x[0, 0, .stride(from: 3, to: 1)].shape == [0])                 // x[0, 0, 3:1]
    }

    @Test("strides, the ellipsis and new axes: x[1, 1:, ::2], x[..., -1], x[None, 0, ..., None]")
    func stridesEllipsisNewAxis() throws {
        let x = try Self.arange()
        #expect(try Self.values(x[1, 1..., .stride(by: 2)]) == [16, 18, 20, 22])
        #expect(try Self.values(x[0, 0, .stride(from: 1, to: -1)]) == [1, 2])     // x[0, 0, 1:-1]
        #expect(try Self.values(x[0, 0, .stride(from: -1, by: 5)]) == [3])         // x[0, 0, -1::5]
        let last = try x[.ellipsis, -1]
        #expect(last.shape == [2, 3])
        #expect(try Self.values(last) == [3, 7, 11, 15, 19, 23])
        #expect(try x[.newAxis, 0, .ellipsis, .newAxis].shape == [1, 3, 4, 1])
        #expect(try x[.ellipsis].shape == [2, 3, 4])
        #expect(try x[1, .ellipsis, 2, .all].shape == [4])
    }

    @Test("extreme bounds and steps clamp instead of overflowing")
    func extremeBounds() throws {
        let x = try Self.arange()
        #expect(try Self.values(x[0, 0, .stride(by: .max)]) == [0])
        #expect(try Self.values(x[0, 0, .stride(from: .min, to: .max, by: 3)]) == [0, 3])
        #expect(try Self.values(x[0, 0, ...Int.max]) == [0, 1, 2, 3])
        #expect(try x[0, 0, Int.max...].shape == [0])
        let w = try Tensor.arange(0.0, 5.0).requiringGrad()
        try w[.stride(from: 1, by: .max)].sum().backward()
        #expect(try Self.values(w.grad!) == [0, 1, 0, 0, 0])
        #expect(throws: TorchError.self) { try x[Int.min] }
    }

    @Test("basic subscripts are views: writing through them writes the tensor")
    func basicIsAView() throws {
        let x = try Self.arange()
        let column = try x[.all, 1, .stride(by: 2)]
        #expect(column.storage === x.storage)
        try column.fill_(-1)
        #expect(try Self.values(x[0, 1]) == [-1, 5, -1, 7])
        #expect(try Self.values(x[1, 1]) == [-1, 17, -1, 19])
    }

    @Test("boolean masks and integer tensors pick elements (a copy), with PyTorch's layout rules")
    func advancedReads() throws {
        let x = try Self.arange()
        let picked = try x[x .> 20]
        #expect(try Self.values(picked) == [21, 22, 23])
        #expect(picked.storage !== x.storage)
        #expect(try Self.values(x[0, .all, [0, 1]]) == [0, 1, 4, 5, 8, 9])          // x[0, :, [0, 1]]: [3, 2]
        let adjacent = try x[.all, [0, 2], [1, 3]]                                   // x[:, [0, 2], [1, 3]]
        #expect(adjacent.shape == [2, 2])
        #expect(try Self.values(adjacent) == [1, 11, 13, 23])
        let separated = try x[[0, 1], .all, [1, 3]]                                  // x[[0, 1], :, [1, 3]]
        #expect(separated.shape == [2, 3])
        #expect(try Self.values(separated) == [1, 5, 9, 15, 19, 23])
        let table = try Tensor([0, 1, 2, 0], shape: [2, 2])
        #expect(try x[.all, table].shape == [2, 2, 2, 4])                             // x[:, t] for a [2, 2] t
        #expect(try Self.values(x[0, 0, Tensor([-1, 0])]) == [3, 0])                   // negative indices
        #expect(try Self.values(x[Tensor([true, false]), 2, 3]) == [11])                // a mask over dim 0
        let v = try Tensor([1.0, 2.0, 3.0])
        #expect(try v[Tensor(true)].shape == [1, 3])
        #expect(try v[Tensor(false)].shape == [0, 3])
    }

    @Test("reading is differentiable: gradients flow back through views and gathers")
    func differentiable() throws {
        let w = try Tensor.arange(0.0, 6.0).reshape([2, 3]).requiringGrad()
        let y = try (w[.all, 1] * 2).sum() + w[[1, 1], [0, 2]].sum() + w[w .> 4].sum()
        try y.backward()
        #expect(try Self.values(w.grad!) == [0, 2, 0, 1, 2, 2])
        let z = try Tensor([1.0, 2.0, 3.0, 4.0]).requiringGrad()
        try (z[.stride(by: 2)] ** 2).sum().backward()
        #expect(try Self.values(z.grad!) == [2, 0, 6, 0])
    }

    @Test("set(_:to:) is Python's x[...] = v: numbers, tensors, masks and index lists, in place")
    func assignment() throws {
        // y = torch.zeros(3, 4); y[:, 1] = 5; y[[0, 2], [1, 3]] = torch.tensor([7., 8.]); y[y > 6] = -1
        let y = try Tensor.zeros([3, 4])
        try y.set(.all, 1, to: 5)
        try y.set([0, 2], [1, 3], to: Tensor([7.0, 8.0]))
        try y.set(y .> 6, to: -1)
        #expect(try Self.values(y) == [0, -1, 0, 0, 0, 5, 0, 0, 0, 5, 0, -1])
        // z = torch.zeros(2, 3, 4); z[:, [0, 2], 1:3] = torch.tensor([1., 2.])
        let z = try Tensor.zeros([2, 3, 4])
        try z.set(.all, [0, 2], 1..<3, to: Tensor([1.0, 2.0]))
        #expect(try Self.values(z[0]) == [0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 2, 0])
        #expect(try Self.values(z[1]) == Self.values(z[0]))
        // A row with a leading size-1 dim fits, as in PyTorch; values convert to the tensor's dtype.
        let ints = try Tensor.zeros([2, 3], dtype: .int64)
        try ints.set(0, to: Tensor([[1.9, 2.0, 3.0]]))
        try ints.set(1, .stride(by: 2), to: 9)
        #expect(try ints.toArray(of: Int.self) == [1, 2, 3, 9, 0, 9])
    }

    @Test("assignment follows the in-place rules: a leaf that requires grad, a value that does not broadcast")
    func assignmentRules() throws {
        let w = try Tensor.zeros([2, 2]).requiringGrad()
        #expect(throws: TorchError.self) { try w.set(0, to: 1) }
        #expect(throws: TorchError.self) { try w.set([0], to: 1) }
        try withNoGrad { try w.set(0, 1, to: 3) }
        #expect(try Self.values(w) == [0, 3, 0, 0])
        let x = try Tensor.zeros([3, 4])
        let error = #expect(throws: TorchError.self) { try x.set([0, 1], to: Tensor([1.0, 2.0, 3.0])) }
        #expect(error?.message.contains("value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]") == true)
        let tracked = try Tensor([1.0]).requiringGrad()
        #expect(throws: TorchError.self) { try x.set(0, 0, to: tracked) }
    }

    @Test("errors name the dimension and its size", arguments: [
        ({ @Sendable (x: Tensor) in try x[5] }, "index 5 is out of range for dimension 0 with size 2"),
        ({ @Sendable (x: Tensor) in try x[0, 7] }, "index 7 is out of range for dimension 1 with size 3"),
        ({ @Sendable (x: Tensor) in try x[0, -4] }, "index -4 is out of range for dimension 1 with size 3"),
        ({ @Sendable (x: Tensor) in try x[.all, Tensor([3])] }, "index 3 is out of range for dimension 1 with size 3"),
        ({ @Sendable (x: Tensor) in try x[.all, [0], Tensor([-5])] }, "index -5 is out of range for dimension 2 with size 4"),
        ({ @Sendable (x: Tensor) in try x[Tensor([true, false, true])] }, "the shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3, 4] at index 0"),
        ({ @Sendable (x: Tensor) in try x[0, 0, 0, 0] }, "too many indices for tensor of dimension 3"),
        ({ @Sendable (x: Tensor) in try x[.ellipsis, 0, .ellipsis] }, "an index can only have a single ellipsis"),
        ({ @Sendable (x: Tensor) in try x[.stride(by: -1)] }, "step must be greater than zero"),
        ({ @Sendable (x: Tensor) in try x[Tensor([0.5])] }, "tensors used as indices must be long, int or bool tensors"),
    ] as [(@Sendable (Tensor) throws -> Tensor, String)])
    func errors(_ read: @Sendable (Tensor) throws -> Tensor, _ message: String) throws {
        let x = try Self.arange()
        let error = #expect(throws: TorchError.self) { try read(x) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test("a 0-d tensor cannot be subscripted by an integer")
    func zeroDimensional() throws {
        let s = try Tensor(3.0)
        #expect(throws: TorchError.self) { try s[0] }
        #expect(try s[.newAxis].shape == [1])
    }

    @Test("the operators behind subscripts: select, slice, index, index_put and nonzero")
    func operators() throws {
        let x = try Self.arange()
        let accumulated = try Tensor.zeros([3]).indexPut([Tensor([0, 0, 2])], Tensor([1.0, 2.0, 3.0]), accumulate: true)
        #expect(try Self.values(accumulated) == [3, 0, 3])
        let replaced = try Tensor.zeros([3]).indexPut([Tensor([2])], Tensor([5.0]))
        #expect(try Self.values(replaced) == [0, 0, 5])
        #expect(try Tensor([[0.0, 1.0], [2.0, 0.0]]).nonzero().toArray(of: Int.self) == [0, 1, 1, 0])
        #expect(try Tensor(0.0).nonzero().shape == [0, 0])
        #expect(try Tensor(1.0).nonzero().shape == [1, 0])
        #expect(try x.index([Tensor([1]), Tensor([2])]).toArray(of: Double.self) == [20, 21, 22, 23])
        let strict = #expect(throws: TorchError.self) { try Tensor.zeros([3]).indexPut_([Tensor([0])], Tensor([1.0], dtype: .float64)) }
        #expect(strict?.kind == .dtypeMismatch)
    }
}
