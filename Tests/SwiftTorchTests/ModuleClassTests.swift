import Testing
import SwiftTorch
import SwiftTorchCore

/// A model written as PyTorch's tutorials write one: a `Module` subclass whose layers are
/// stored properties, built where they are declared, with no `try` and no initialiser.
@Suite("Model classes")
struct ModuleClassTests {
    /// PyTorch's "Build the Neural Network" model, scaled to 6-8-5:
    ///
    ///     class NeuralNetwork(nn.Module):
    ///         def __init__(self):
    ///             super().__init__()
    ///             self.flatten = nn.Flatten()
    ///             self.linear_relu_stack = nn.Sequential(
    ///                 nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5))
    ///         def forward(self, x):
    ///             return self.linear_relu_stack(self.flatten(x))
    final class NeuralNetwork: Module {
        let flatten = Flatten()
        let linearReluStack = Sequential {
            Linear(6, 8)
            ReLU()
            Linear(8, 5)
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try linearReluStack(flatten(x))
        }
    }

    @Test("a model class with stored layers is built without try and runs as model(x)")
    func storedLayers() throws {
        let model = NeuralNetwork()
        #expect(model.namedParameters().map(\.0) == [
            "linear_relu_stack.0.weight", "linear_relu_stack.0.bias", "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
        ])
        #expect(model.constructionError == nil)
        let logits = try model(Tensor.rand([3, 2, 3]))
        #expect(logits.shape == [3, 5])
        // The forward pass is the layers' own: compare with calling them by hand.
        let x = try Tensor.rand([4, 6])
        let byHand = try model.linearReluStack[2](model.linearReluStack[0](x).relu())
        #expect(try model(x).toArray(of: Float.self) == byHand.toArray(of: Float.self))
    }

    @Test("a model class trains: its parameters reach the optimizer and the loss falls")
    func trains() throws {
        manualSeed(0)
        let model = NeuralNetwork()
        let optimizer = try SGD(model.parameters(), lr: 0.1)
        let x = try Tensor.randn([16, 6]), y = try Tensor.randint(high: 5, [16])
        let lossFunction = CrossEntropyLoss()
        var losses: [Double] = []
        for _ in 0..<20 {
            optimizer.zeroGrad()
            let loss = try lossFunction(model(x), y)
            try loss.backward()
            try optimizer.step()
            losses.append(try loss.item())
        }
        #expect(losses.last! < losses.first! - 0.1)
    }

    final class BadSizes: Module {
        let fc = Linear(-1, 3)
        let ok = Linear(3, 3)
    }

    @Test("a bad size does not stop construction: the layer keeps the error and its first forward call throws it")
    func badSizeThrowsAtFirstUse() throws {
        let model = BadSizes()
        #expect(model.fc.constructionError?.kind == .invalidArgument)
        #expect(model.ok.constructionError == nil)
        let error = #expect(throws: TorchError.self) { try model.fc(Tensor.zeros([2, 3])) }
        #expect(error?.message == "Linear: feature counts must be non-negative, got inFeatures -1, outFeatures 3")
        // The placeholder weight owns no memory and is an empty tensor, not a trap.
        #expect(model.fc.weight.shape == [0])
        // The model finds its layer's error before any data is seen.
        let early = #expect(throws: TorchError.self) { try model.checkConstructed() }
        #expect(early == model.fc.constructionError)
        try model.ok.checkConstructed()
    }

    @Test("every layer with sizes defers its construction error to its first forward call", arguments: [
        ({ @Sendable in Conv2d(5, 8, kernelSize: 3, groups: 2) }, "divisible by groups"),
        ({ @Sendable in Conv2d(1, 8, kernelSize: 0) }, "kernel_size"),
        ({ @Sendable in BatchNorm1d(0) }, "num_features must be positive"),
        ({ @Sendable in LayerNorm([]) }, "normalized_shape must be non-empty"),
        ({ @Sendable in Embedding(0, 3) }, "num_embeddings (0) must be positive"),
        ({ @Sendable in Embedding(4, 3, paddingIdx: 7) }, "padding_idx 7"),
    ] as [(@Sendable () -> any UnaryLayer, String)])
    func deferredErrors(_ make: @Sendable () -> any UnaryLayer, _ message: String) throws {
        let layer = make()
        let error = try #require(layer.constructionError)
        #expect(error.message.contains(message))
        let thrown = #expect(throws: TorchError.self) { try layer(Tensor.zeros([1, 1, 4, 4])) }
        #expect(thrown == error)
    }

    /// A model that takes its sizes as arguments: an initialiser with parameters, which
    /// calls `super.init()` as Swift requires and needs no `try` for its layers.
    final class MLP: Module, UnaryLayer {
        let hidden: Linear
        let output: Linear
        let dropout = Dropout(p: 0.1)

        init(inputs: Int, hidden: Int, outputs: Int) {
            self.hidden = Linear(inputs, hidden)
            self.output = Linear(hidden, outputs)
            super.init()
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor {
            try output(dropout(hidden(x).relu()))
        }
    }

    @Test("a model with initialiser arguments nests inside Sequential and follows train()/eval()")
    func sizedModelNests() throws {
        let model = Sequential {
            MLP(inputs: 4, hidden: 8, outputs: 2)
            Softmax(dim: 1)
        }
        model.eval()
        #expect(model.modules().allSatisfy { !$0.isTraining })
        let probabilities = try model(Tensor.rand([3, 4]))
        let sums = try probabilities.sum(dim: [1]).toArray(of: Double.self)
        #expect(sums.allSatisfy { abs($0 - 1) < 1e-5 })
        #expect(model.namedParameters().map(\.0) == ["0.hidden.weight", "0.hidden.bias", "0.output.weight", "0.output.bias"])
    }

    /// A module with a tensor of its own, made by a throwing factory: the initialiser that
    /// sets it throws, and its name differs from `Module.init()`.
    final class Scale: Module, UnaryLayer {
        @Parameter var gain: Tensor

        init(features: Int) throws {
            gain = try Tensor.ones([features])
            super.init()
        }

        func callAsFunction(_ x: Tensor) throws -> Tensor { try x * gain }
    }

    @Test("a module with its own parameter is built with one try")
    func ownParameter() throws {
        let scale = try Scale(features: 3)
        #expect(scale.namedParameters().map(\.0) == ["gain"])
        #expect(scale.gain.requiresGrad)
        #expect(try scale(Tensor([1.0, 2.0, 3.0])).toArray(of: Float.self) == [1, 2, 3])
    }
}
