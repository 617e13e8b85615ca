import Testing
import SwiftTorch
import SwiftTorchCore

// In-place operators: values written straight into `self` (strided views included), the
// rules PyTorch applies to them, and the version bump autograd relies on. Cross-backend
// agreement on float tensors comes from EquivalenceTests (samples in OpSamplesInPlace.swift);
// integer kernels are compared here.

private func values(_ t: Tensor) throws -> [Double] { try t.toArray(of: Double.self) }

private func message(_ body: () throws -> Void) -> String {
    do { try body() } catch let error as TorchError { return error.message } catch { return "\(error)" }
    return "no error"
}

@Suite("In-place operators write self")
struct InPlaceTests {
    @Test func addBroadcastsOtherIntoSelfAndReturnsSelf() throws {
        let x = try Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype: .float64)
        let storage = x.storage
        let result = try x.add_(Tensor([10.0, 20.0, 30.0], dtype: .float64), alpha: 2)
        #expect(result === x)
        #expect(x.storage === storage)
        #expect(try values(x) == [21, 42, 63, 24, 45, 66])
    }

    @Test func chainedCallsFollowPyTorchsOrder() throws {
        let v = try Tensor([1.0, 2.0], dtype: .float64)
        let g = try Tensor([3.0, -1.0], dtype: .float64)
        try v.mul_(0.5).addcmul_(g, g, value: 2).sub_(1)
        #expect(try values(v) == [0.5 + 18 - 1, 1 + 2 - 1])
    }

    @Test func stridedSelfIsWrittenThroughItsStridesOnly() throws {
        let base = try Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float64)
        let column = try base.slice(dim: 1, start: 1, step: 2).t()  // [2, 3], non-contiguous
        let addend = [100.0, 200, 300]
        try column.add_(Tensor(addend, dtype: .float64))  // broadcast along the view's rows
        let expected: [Double] = (0..<12).map { (i: Int) -> Double in Double(i) + (i % 2 == 1 ? addend[i / 4] : 0) }
        #expect(try values(base) == expected)
        try column.fill_(-1.0)
        #expect(try values(base.slice(dim: 1, start: 0, step: 2)) == [0, 2, 4, 6, 8, 10])
        #expect(try values(column).allSatisfy { $0 == -1 })
        try column.zero_()
        #expect(try values(base).enumerated().allSatisfy { i, v in i % 2 == 1 ? v == 0 : v == Double(i) })
    }

    @Test func divRoundingModesAndIntegerArithmetic() throws {
        let f = try Tensor([7.0, -7.0], dtype: .float64)
        try f.div_(2)
        #expect(try values(f) == [3.5, -3.5])
        try f.div_(Tensor([2.0], dtype: .float64), roundingMode: "floor")
        #expect(try values(f) == [1, -2])
        for backend in ["reference", "openmp"] {
            try Runtime.withBackend(backend) {
                let i = try Tensor([7, -7, 9])
                try i.div_(2, roundingMode: "trunc").mul_(3).add_(Tensor([1, 1, 1]), alpha: 2).addcmul_(Tensor([2, 2, 2]), Tensor([5, 5, 5]), value: 3)
                #expect(try i.toArray(of: Int.self) == [3 * 3 + 2 + 30, -3 * 3 + 2 + 30, 4 * 3 + 2 + 30], "\(backend)")
                try i.clamp_(min: 0, max: 40)
                #expect(try i.toArray(of: Int.self) == [40, 23, 40], "\(backend)")
                try i.fill_(2.9)
                #expect(try i.toArray(of: Int.self) == [2, 2, 2], "\(backend)")
                let b = try Tensor([true, false])
                try b.add_(Tensor([false, false]))
                #expect(try b.toArray(of: Bool.self) == [true, false], "\(backend)")
            }
        }
    }

    @Test func addcdivAndLerpFollowPyTorchsFormulas() throws {
        let p = try Tensor([1.0, 2.0], dtype: .float64)
        try p.addcdiv_(Tensor([3.0, 4.0], dtype: .float64), Tensor([2.0, 8.0], dtype: .float64), value: -2)
        #expect(try values(p) == [1 - 3, 2 - 1])
        let a = try Tensor([0.0, 10.0, 1.0], dtype: .float64)
        try a.lerp_(Tensor([10.0, 0.0, 3.0], dtype: .float64), weight: Tensor([0.25, 1.0, 0.75], dtype: .float64))
        #expect(try values(a) == [2.5, 0, 2.5])
        try a.lerp_(Tensor([0.0, 0.0, 0.0], dtype: .float64), weight: 0.5)
        #expect(try values(a) == [1.25, 0, 1.25])
    }

    @Test func clampKeepsNaNAndOneSidedBounds() throws {
        let x = try Tensor([-2.0, .nan, 0.5, 3.0], dtype: .float64)
        try x.clamp_(min: -1)
        let v = try values(x)
        #expect(v[0] == -1 && v[1].isNaN && v[2] == 0.5 && v[3] == 3)
        try x.clamp_(max: 1)
        #expect(try values(x)[3] == 1)
    }

    @Test func emptyAndZeroDimensionalSelf() throws {
        let e = try Tensor.zeros([0, 3], dtype: .float64)
        try e.add_(Tensor([1.0, 2.0, 3.0], dtype: .float64)).fill_(1.0).clamp_(min: 0)
        #expect(e.shape == [0, 3])
        let s = try Tensor(2.0)
        try s.mul_(Tensor(3.0)).add_(1)
        #expect(try s.item() == 7)
    }

    @Test func otherMustBroadcastToSelfNotTheReverse() {
        let m = message { try Tensor([1.0, 2.0, 3.0]).add_(Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])) }
        #expect(m.contains("add_") && m.contains("[3]") && m.contains("[2, 3]"), "\(m)")
        let n = message { try Tensor([1.0, 2.0, 3.0]).mul_(Tensor([1.0, 2.0])) }
        #expect(n.contains("mul_") && n.contains("[3]") && n.contains("[2]"), "\(n)")
    }

    @Test func aFloatResultCannotBeWrittenIntoAnIntegerTensor() {
        let ints = { try Tensor([1, 2, 3]) }
        for (label, body) in [("add_", { _ = try ints().add_(Tensor([0.5, 0.5, 0.5])) }), ("mul_", { _ = try ints().mul_(2.5) }),
                              ("div_", { _ = try ints().div_(2) }), ("clamp_", { _ = try ints().clamp_(min: 0.5) })] as [(String, () throws -> Void)] {
            let m = message(body)
            #expect(m.contains(label) && m.contains("result type float32 can't be cast to the desired output type int64"), "\(m)")
        }
        #expect(message { try Tensor([1, 2]).addcdiv_(Tensor([1, 2]), Tensor([1, 2])) }.contains("addcdiv_"))
        #expect(message { try Tensor([1, 2]).lerp_(Tensor([1, 2]), weight: 0.5) }.contains("lerp_"))
        #expect(message { try Tensor([true]).sub_(Tensor([true])) }.contains("sub_"))
        // The other way round is fine: an integer operand converts into a float self.
        #expect(message { try Tensor([1.0]).add_(Tensor([2])) } == "no error")
    }

    @Test func anExpandedSelfIsRefused() throws {
        let expanded = try Tensor([1.0, 2.0]).unsqueeze(0).expand([3, 2])
        let m = message { try expanded.add_(1.0) }
        #expect(m.contains("add_") && m.contains("expanded"), "\(m)")
        #expect(message { try expanded.fill_(0.0) }.contains("fill_"))
    }

    @Test func aPartialOverlapWithSelfIsRefusedButSelfItselfIsFine() throws {
        let x = try Tensor([1.0, 2.0, 3.0, 4.0], dtype: .float64)
        let m = message { try x.narrow(dim: 0, start: 1, length: 3).add_(x.narrow(dim: 0, start: 0, length: 3)) }
        #expect(m.contains("single memory location"), "\(m)")
        try x.mul_(x)
        #expect(try values(x) == [1, 4, 9, 16])
        // Disjoint views of one storage do not overlap.
        try x.narrow(dim: 0, start: 0, length: 2).add_(x.narrow(dim: 0, start: 2, length: 2))
        #expect(try values(x) == [10, 20, 9, 16])
    }

    @Test func aTensorThatRequiresGradIsRefusedWhileRecording() throws {
        let w = try Tensor([1.0]).requiringGrad()
        for (op, body) in [("add_", { _ = try w.add_(1.0) }), ("zero_", { _ = try w.zero_() }),
                           ("lerp_", { _ = try w.lerp_(Tensor([2.0]), weight: 0.5) })] as [(String, () throws -> Void)] {
            let m = message(body)
            #expect(m.contains(op) && m.contains("requires grad"), "\(m)")
        }
        try withNoGrad { try w.add_(1.0) }
        #expect(try w.item() == 2)
    }

    @Test func modifyingASavedTensorWithAddMakesBackwardThrow() throws {
        let w = try Tensor([1.0, 2.0], dtype: .float64).requiringGrad()
        let x = try Tensor([3.0, 4.0], dtype: .float64)
        let y = try (w * x).sum()  // saves x for w's gradient
        let version = x.storage.version
        try x.add_(1.0)
        #expect(x.storage.version > version)
        let error = try #require(throws: TorchError.self) { try y.backward() }
        #expect(error.message.contains("in-place"))
    }

    @Test func integerKernelsAgreeAcrossBackends() throws {
        func run(_ backend: String) throws -> [[Int]] {
            try Runtime.withBackend(backend) {
                let base = try Tensor((0..<24).map { $0 * 37 % 11 - 5 }, shape: [4, 6])
                let view = try base.t()  // strided self
                try view.add_(Tensor([3, -2, 1, 4]), alpha: 3).sub_(Tensor([1, 1, 1, 1]))
                try view.mul_(Tensor([2, 3, -1, 5])).addcmul_(Tensor([1, 2, 3, 4]), Tensor([-1, 0, 1, 2]), value: 2)
                try view.div_(3, roundingMode: "floor").clamp_(min: -7, max: 9)
                let small = try Tensor([5, 6, 7], dtype: .int32)
                try small.add_(Tensor([1, 1, 1], dtype: .int32)).fill_(-4)
                return [try base.toArray(of: Int.self), try small.toArray(of: Int.self)]
            }
        }
        #expect(try run("openmp") == run("reference"))
    }

    @Test func theOperatorsAreRegisteredOnTheCPUBackends() throws {
        for name in ["add_", "sub_", "mul_", "div_", "addcmul_", "addcdiv_", "lerp_", "fill_", "zero_", "clamp_",
                     "_fused_sgd_", "_fused_adam_", "_fused_adamw_", "_fused_rmsprop_"] {
            let op = try #require(Runtime.registry.operator(named: name), "\(name)")
            #expect(op.kernel(backend: "reference", dtype: .float32) != nil, "\(name)")
            #expect(op.kernel(backend: "openmp", dtype: .float64) != nil, "\(name)")
        }
    }
}
