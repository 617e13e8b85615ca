import Testing
import SwiftTorch

/// Autograd as PyTorch's beginner tutorials use it. Expected gradients are worked out by hand.
@Suite("Autograd")
struct AutogradTests {
    @Test("backward of a scalar fills .grad of leaves")
    func scalarBackward() throws {
        let x = try Tensor([1.0, 2.0, 3.0]).requiringGrad()
        let y = try (x * x).sum()          // dy/dx = 2x
        try y.backward()
        #expect(try x.grad?.toArray(of: Float.self) == [2, 4, 6])
        #expect(x.isLeaf)
        #expect(!y.isLeaf)
        #expect(y.gradFn?.name == "SumBackward0")
    }

    @Test("gradients accumulate across backward calls until cleared")
    func accumulation() throws {
        let w = try Tensor([0.5, -1.0]).requiringGrad()
        for _ in 0..<2 { try (w * 3.0).sum().backward() }
        #expect(try w.grad?.toArray(of: Float.self) == [6, 6])
        w.grad = nil
        try (w * 3.0).sum().backward()
        #expect(try w.grad?.toArray(of: Float.self) == [3, 3])
    }

    @Test("broadcasting is undone in the gradient")
    func broadcastUndone() throws {
        let a = try Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requiringGrad()   // [2, 3]
        let b = try Tensor([10.0, 20.0, 30.0]).requiringGrad()                   // [3]
        let c = try Tensor(2.0).requiringGrad()                                  // 0-d
        try (a * b + c).sum().backward()
        #expect(try a.grad?.toArray(of: Float.self) == [10, 20, 30, 10, 20, 30])
        #expect(try b.grad?.toArray(of: Float.self) == [5, 7, 9])
        #expect(try c.grad?.item(Double.self) == 6)
        #expect(b.grad?.shape == [3])
    }

    @Test("a linear layer's gradients match the closed form")
    func linearLayer() throws {
        // loss = sum(x @ W^T + b); dW = ones^T x (each row of W gets the column sums of x), db = N
        let x = try Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
        let w = try Tensor([[0.1, 0.2], [0.3, 0.4]]).requiringGrad()
        let b = try Tensor([0.0, 0.0]).requiringGrad()
        try linear(x, weight: w, bias: b).sum().backward()
        #expect(try w.grad?.toArray(of: Float.self) == [9, 12, 9, 12])
        #expect(try b.grad?.toArray(of: Float.self) == [3, 3])
    }

    @Test("a non-scalar output needs an explicit gradient")
    func nonScalarNeedsGradient() throws {
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        let y = try x * 2.0
        #expect(throws: TorchError.self) { try y.backward() }
        try y.backward(gradient: Tensor([1.0, 0.5]))
        #expect(try x.grad?.toArray(of: Float.self) == [2, 1])
    }

    @Test("backward on a tensor that does not require grad is an error")
    func noGradError() throws {
        let x = try Tensor([1.0, 2.0])
        let error = try #require(throws: TorchError.self) { try x.sum().backward() }
        #expect(error.kind == .autograd)
        #expect(error.message.contains("does not require grad"))
    }

    @Test("a second backward through a freed graph is an error; retainGraph keeps it")
    func freedGraph() throws {
        let x = try Tensor([3.0]).requiringGrad()
        let y = try (x * x).sum()
        try y.backward(retainGraph: true)
        try y.backward()
        #expect(try x.grad?.toArray(of: Float.self) == [12])
        let error = try #require(throws: TorchError.self) { try y.backward() }
        #expect(error.message.contains("second time"))
    }

    @Test("changing a saved tensor in place makes backward fail")
    func inPlaceChangeDetected() throws {
        let x = try Tensor([1.0, 2.0]).requiringGrad()
        let h = try x * 2.0
        let y = try (h * h).sum()           // saves h
        try withNoGrad { try h.copy_(Tensor([0.0, 0.0])) }
        let error = try #require(throws: TorchError.self) { try y.backward() }
        #expect(error.message.contains("in-place"))
    }

    @Test("in-place changes to a leaf that requires grad are refused outside no-grad")
    func inPlaceOnLeafRefused() throws {
        let w = try Tensor([1.0]).requiringGrad()
        #expect(throws: TorchError.self) { try w.add_(Tensor([1.0])) }
        try withNoGrad { try w.add_(Tensor([1.0])) }
        #expect(try w.item(Double.self) == 2)
    }

    @Test("no-grad scope records nothing, and detach cuts the graph")
    func noGradAndDetach() throws {
        let x = try Tensor([1.0]).requiringGrad()
        let y = try withNoGrad { try x * 2.0 }
        #expect(!y.requiresGrad)
        #expect(y.gradFn == nil)
        let z = try x * 2.0
        let d = z.detach()
        #expect(!d.requiresGrad)
        #expect(d.isLeaf)
        #expect(d.storage === z.storage)
    }

    @Test("gradient flows through views, indexing and losses")
    func throughViewsAndLosses() throws {
        let logits = try Tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]).requiringGrad()
        let target = try Tensor([0, 1])
        let loss = try crossEntropy(logits, target)
        try loss.backward()
        // d loss / d logits = (softmax - onehot) / N
        let softmax = try logits.detach().softmax(dim: 1).toArray(of: Double.self)
        let expected = [softmax[0] - 1, softmax[1], softmax[2], softmax[3], softmax[4] - 1, softmax[5]].map { $0 / 2 }
        let got = try #require(try logits.grad?.toArray(of: Double.self))
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-6) }
    }

    @Test("shared subexpressions sum their gradients")
    func sharedSubexpression() throws {
        let x = try Tensor([2.0]).requiringGrad()
        let y = try x * 3.0
        let z = try (y * y + y).sum()       // dz/dx = (2y + 1) * 3 = 39
        try z.backward()
        #expect(try x.grad?.item(Double.self) == 39)
    }

    @Test("only floating-point tensors can require grad")
    func integerCannotRequireGrad() throws {
        #expect(throws: TorchError.self) { try Tensor([1, 2]).requiringGrad() }
    }

    @Test("a stepped slice passes the gradient to the elements it picked")
    func steppedSliceGradient() throws {
        let x = try Tensor([1.0, 2.0, 3.0, 4.0, 5.0]).requiringGrad()
        try (x.slice(dim: 0, step: 2) * 10.0).sum().backward()
        #expect(try x.grad?.toArray(of: Float.self) == [10, 0, 10, 0, 10])
        #expect(try withNoGrad { try x.slice(dim: 0, step: 2).storage === x.storage })
    }
}
