import Testing
import SwiftTorch
import SwiftTorchCore

/// Swift's spellings of PyTorch's operators: pointwise comparisons, compound assignment in
/// place, `**`, and the number forms of the in-place operators.
@Suite("Operator syntax")
struct OperatorSyntaxTests {
    static func bools(_ t: Tensor) throws -> [Bool] { try t.toArray(of: Bool.self) }

    @Test("pointwise comparisons between tensors broadcast and return bool tensors")
    func tensorComparisons() throws {
        let a = try Tensor([1.0, 2.0, 3.0]), b = try Tensor([[2.0], [3.0]])
        let lt = try a .< b
        #expect(lt.dtype == .bool && lt.shape == [2, 3])
        #expect(try Self.bools(lt) == [true, false, false, true, true, false])
        #expect(try Self.bools(a .== a) == [true, true, true])
        #expect(try Self.bools(a .!= Tensor([1.0, 0.0, 3.0])) == [false, true, false])
        #expect(try Self.bools(a .<= Tensor([1.0, 1.0, 4.0])) == [true, false, true])
        #expect(try Self.bools(a .> Tensor([0.0, 2.0, 2.0])) == [true, false, true])
        #expect(try Self.bools(a .>= Tensor([2.0, 2.0, 2.0])) == [false, true, true])
    }

    @Test("a number on either side compares as a Python scalar; on the left it mirrors the comparison")
    func scalarComparisons() throws {
        let x = try Tensor([-1.0, 0.5, 2.0])
        #expect(try Self.bools(x .> 0) == [false, true, true])
        #expect(try Self.bools(x .>= 0.5) == [false, true, true])
        #expect(try Self.bools(x .< 2) == [true, true, false])
        #expect(try Self.bools(x .<= -1.0) == [true, false, false])
        #expect(try Self.bools(x .== 2) == [false, false, true])
        #expect(try Self.bools(x .!= 0.5) == [true, false, true])
        #expect(try Self.bools(0 .< x) == [false, true, true])          // x > 0
        #expect(try Self.bools(0.5 .>= x) == [true, true, false])       // x <= 0.5
        #expect(try Self.bools(2 .== x) == [false, false, true])
        #expect(try Self.bools(1.0 .!= x) == [true, true, true])
        #expect(try Self.bools(2 .> x) == [true, true, false])
        #expect(try Self.bools(-1 .<= x) == [true, true, true])
        let ints = try Tensor([1, 2, 3])
        #expect(try Self.bools(ints .> 1.5) == [false, true, true])     // a float scalar compares as a float
        let mask = try x .> 0
        #expect(try Self.bools(mask .== true) == [false, true, true])
        #expect(try Self.bools(mask .!= true) == [true, false, false])
    }

    @Test("comparisons count like PyTorch's: (y_pred.argmax(1) == y).sum()")
    func accuracyIdiom() throws {
        let logits = try Tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), labels = try Tensor([1, 1, 1])
        #expect(try (logits.argmax(dim: 1) .== labels).sum().item(Int.self) == 2)
    }

    @Test("+=, -=, *=, /= write in place: the same object, and every view sees the change")
    func compoundAssignment() throws {
        let x = try Tensor([1.0, 2.0, 3.0, 4.0])
        let alias = x
        let tail = try x[2...]
        try x += Tensor([1.0, 1.0, 1.0, 1.0])
        try x -= 0.5
        try x *= 2
        try x /= Tensor([1.0, 1.0, 1.0, 3.0])
        #expect(alias === x)
        #expect(try x.toArray(of: Float.self) == [3, 5, 7, 3])
        #expect(try tail.toArray(of: Float.self) == [7, 3])
        let y = try Tensor([10, 20])                 // integers stay integers
        try y += 1
        try y -= 2
        try y *= 3
        #expect(try y.dtype == .int64 && y.toArray(of: Int.self) == [27, 57])
        try y += Tensor([1, 1])
        #expect(try y.toArray(of: Int.self) == [28, 58])
    }

    @Test("in-place operators follow PyTorch's rules: a leaf that requires grad, a result that cannot be cast, a shape that does not broadcast")
    func compoundAssignmentRules() throws {
        let w = try Tensor([1.0, 2.0]).requiringGrad()
        let leafError = #expect(throws: TorchError.self) { try w += 1 }
        #expect(leafError?.kind == .autograd)
        try withNoGrad { try w -= 0.5 }              // as an optimizer does
        #expect(try w.toArray(of: Float.self) == [0.5, 1.5])
        #expect(w.isLeaf && w.requiresGrad)
        let ints = try Tensor([1, 2])
        let castError = #expect(throws: TorchError.self) { try ints /= 2 }
        #expect(castError?.kind == .dtypeMismatch)
        let shapeError = #expect(throws: TorchError.self) { try ints += Tensor([[1], [2]]) }
        #expect(shapeError?.kind == .shapeMismatch)
    }

    @Test("** binds tighter than * and groups to the right; 2 ** x and x ** y work")
    func power() throws {
        let x = try Tensor([1.0, 2.0, 3.0])
        #expect(try (x ** 2).toArray(of: Float.self) == [1, 4, 9])
        #expect(try (2 * x ** 2).toArray(of: Float.self) == [2, 8, 18])
        #expect(try (x ** 0.5).toArray(of: Double.self).map { ($0 * 1e6).rounded() } == [1e6, 1414214, 1732051])
        #expect(try (2 ** x).toArray(of: Float.self) == [2, 4, 8])
        #expect(try (2.0 ** x).toArray(of: Float.self) == [2, 4, 8])
        #expect(try (x ** x).toArray(of: Float.self) == [1, 4, 27])
        #expect(try (2 ** x ** 2).toArray(of: Float.self) == [2, 16, 512])   // 2 ** (x ** 2)
        let ints = try Tensor([2, 3]) ** 2
        #expect(try ints.dtype == .int64 && ints.toArray(of: Int.self) == [4, 9])
    }

    @Test("x ** 2 differentiates as PyTorch's first tutorial: d(sum x²)/dx = 2x")
    func powerBackward() throws {
        let x = try Tensor([1.0, -2.0, 3.0]).requiringGrad()
        let y = try (x ** 2).sum()
        try y.backward()
        #expect(try x.grad!.toArray(of: Float.self) == [2, -4, 6])
    }

    @Test("every in-place operator with a tensor operand also takes a Swift number")
    func scalarInPlace() throws {
        let x = try Tensor([1.0, 2.0, 3.0])
        try x.add_(1).sub_(0.5).mul_(2).div_(4)
        #expect(try x.toArray(of: Float.self) == [0.75, 1.25, 1.75])
        try x.add_(1, alpha: 2).sub_(1, alpha: 2)
        #expect(try x.toArray(of: Float.self) == [0.75, 1.25, 1.75])
        try x.lerp_(Tensor([1.75, 1.75, 1.75]), weight: 0.5)
        #expect(try x.toArray(of: Float.self) == [1.25, 1.5, 1.75])
        try x.clamp_(min: 1.3, max: 1.6)
        #expect(try x.toArray(of: Float.self) == [1.3, 1.5, 1.6])
        try x.fill_(7)
        #expect(try x.toArray(of: Float.self) == [7, 7, 7])
        let ints = try Tensor([7, -7])
        try ints.div_(2, roundingMode: "floor")
        #expect(try ints.toArray(of: Int.self) == [3, -4])
        try ints.clamp_(min: 0, max: 2)
        #expect(try ints.toArray(of: Int.self) == [2, 0])
    }
}
