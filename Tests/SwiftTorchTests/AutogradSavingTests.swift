import Testing
import SwiftTorch
import SwiftTorchCore

/// What the graph keeps alive (each derivative's declared saved tensors) and who owns a
/// leaf's first gradient (taken without a copy only when nothing else holds it).
@Suite("Autograd: saved tensors and gradient ownership")
struct AutogradSavingTests {
    // MARK: Saved tensors

    @Test("add keeps neither operand alive; mul keeps both")
    func savedOperandsFollowTheDeclaration() throws {
        let w = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
        weak var addOperand: Storage?
        weak var mulOperand: Storage?
        var sum: Tensor?, product: Tensor?
        do {
            let a = try Tensor([4.0, 5.0, 6.0]), b = try Tensor([7.0, 8.0, 9.0])
            addOperand = a.storage
            mulOperand = b.storage
            sum = try w + a
            product = try w * b
        }
        #expect(addOperand == nil, "add's node must not keep its operand's elements alive")
        #expect(mulOperand != nil, "mul's node saves its operands")
        #expect(sum?.gradFn?.savedVersions.count == 0)
        #expect(product?.gradFn?.savedVersions.count == 2)
        try (sum! + product!).sum().backward()
        #expect(try w.grad?.toArray(of: Float.self) == [8, 9, 10])
    }

    @Test("exp, relu and softmax save their output only")
    func outputSavers() throws {
        let x = try Tensor([[0.5, -1.0], [2.0, 0.0]]).requiringGrad()
        for y in [try x.exp(), try x.relu(), try x.softmax(dim: 1)] {
            let saved = try #require(y.gradFn?.savedVersions)
            #expect(saved.count == 1)
            #expect(saved.first?.tensor.storage === y.storage)
        }
    }

    @Test("a formula that reads a tensor its derivative does not save fails, naming the op and argument")
    func unsavedReadFails() throws {
        let a = try Tensor([1.0]), b = try Tensor([2.0])
        let arguments = try Op.add.schema.bind([.tensor(a), .tensor(b)])
        let ctx = BackwardContext(arguments: arguments, outputs: [a], gradOutputs: [a], needsGrad: [true, true],
                                  saved: .inputs("other"))
        #expect(try ctx.input("other") === b)
        #expect(ctx.shape("self") == [1])
        do {
            _ = try ctx.input("self")
            Issue.record("reading an unsaved input must throw")
        } catch let error as TorchError {
            #expect(error.kind == .autograd)
            #expect(error.message.contains("add") && error.message.contains("'self'"), "\(error.message)")
        }
        #expect(throws: TorchError.self) { try ctx.output() }
    }

    @Test("every converted operator of the training steps declares what it saves")
    func trainingOperatorsDeclareSaves() throws {
        let names = ["linear", "addmm", "matmul", "mm", "add", "sub", "mul", "div", "relu", "sum", "mean",
                     "log_softmax", "softmax", "nll_loss", "cross_entropy", "conv2d", "max_pool2d",
                     "max_pool2d_with_indices", "native_batch_norm", "layer_norm", "reshape", "flatten", "squeeze",
                     "unsqueeze", "transpose", "permute", "expand", "threshold_backward",
                     "_softmax_backward_data", "_log_softmax_backward_data", "nll_loss_backward"]
        for name in names {
            let op = try #require(Runtime.registry.operator(named: name), "no operator \(name)")
            // Composites (batch_norm, max_pool2d, t) record the operators they call.
            guard let derivative = op.definition.derivative else { continue }
            #expect(derivative.saves != .everything, "\(name) still saves every input and output")
        }
    }

    @Test("every differentiable operator declares what its derivative saves")
    func everyDerivativeDeclaresSaves() {
        for op in Runtime.registry.operators {
            guard let derivative = op.definition.derivative else { continue }
            #expect(derivative.saves != .everything, "\(op.name) saves every input and output; declare what its formula reads")
        }
    }

    @Test("a node's name is spelled once per operator, PyTorch style")
    func nodeNames() throws {
        #expect(Op.logSoftmax.definition.backwardName == "LogSoftmaxBackward0")
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        #expect(try x.logSoftmax(dim: 0).gradFn?.name == "LogSoftmaxBackward0")
    }

    // MARK: Ownership of .grad

    @Test("a gradient passed through by the graph is copied, never aliased: x * 1 and x + 0")
    func userGradientIsNotAliased() throws {
        for build in [{ (x: Tensor) in try x * 1.0 }, { (x: Tensor) in try x + 0.0 }, { (x: Tensor) in try x.reshape([2, 2]).reshape([4]) }] {
            let x = try Tensor([1.0, 2.0, 3.0, 4.0]).requiringGrad()
            let g = try Tensor([0.5, -1.0, 2.0, 3.0])
            try build(x).backward(gradient: g)
            let grad = try #require(x.grad)
            #expect(grad.storage !== g.storage, "x.grad aliases the gradient the user passed")
            #expect(try grad.toArray(of: Float.self) == [0.5, -1, 2, 3])
        }
    }

    @Test("two leaves fed the same gradient get separate .grad tensors")
    func sharedGradientIsSplit() throws {
        let a = try Tensor([1.0, 2.0]).requiringGrad(), b = try Tensor([3.0, 4.0]).requiringGrad()
        try (a + b).sum().backward()
        let ga = try #require(a.grad), gb = try #require(b.grad)
        #expect(ga.storage !== gb.storage)
        #expect(try ga.toArray(of: Float.self) == [1, 1])
        #expect(try gb.toArray(of: Float.self) == [1, 1])
    }

    @Test("a fresh gradient becomes .grad without a copy")
    func freshGradientIsTaken() throws {
        let x = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
        let w = try Tensor([2.0, -1.0, 0.5])
        try (x * w).sum().backward()
        let grad = try #require(x.grad)
        #expect(grad.storage !== w.storage)
        #expect(try grad.toArray(of: Float.self) == [2, -1, 0.5])
        #expect(grad.isContiguous && grad.shape == [3])
    }

    @Test("gradients accumulate over two backward calls; the first .grad a user holds is not changed")
    func accumulationLeavesHeldGradAlone() throws {
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        try (x * x).sum().backward()
        let first = try #require(x.grad)
        #expect(try first.toArray(of: Float.self) == [2, 4])
        try (x * 3.0).sum().backward()
        #expect(try x.grad?.toArray(of: Float.self) == [5, 7])
        #expect(try first.toArray(of: Float.self) == [2, 4])
        #expect(x.grad?.storage !== first.storage)
    }
}
