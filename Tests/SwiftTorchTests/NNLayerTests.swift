import Foundation
import Testing
import SwiftTorch
import SwiftTorchCore

/// The convolution, pooling, normalisation, embedding and dropout layers against values
/// PyTorch computed (Resources/make-nn-expected.py), on every CPU backend.
@Suite("nn layers")
struct NNLayerTests {
    static let cpuBackends = ["reference", "openmp", "blas"]

    struct Expected: Decodable {
        struct CNN: Decodable { let keys: [String]; let logits: [Double] }
        struct BatchNorm: Decodable {
            let train_output: [Double], running_mean: [Double], running_var: [Double], num_batches_tracked: Int
            let eval_output: [Double], cumulative_mean: [Double], cumulative_var: [Double]
        }
        let cnn: CNN
        let batch_norm: BatchNorm
    }

    static func expected() throws -> Expected {
        let url = try #require(Bundle.module.url(forResource: "nn-expected", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }

    /// The generator script's closed-form inputs: sin(i a) (1 + (i mod 5) b), as float32.
    static func wave(_ shape: [Int], _ a: Double, _ b: Double) throws -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { i in Double(Float(sin(Double(i) * a) * (1 + Double(i % 5) * b))) }
        return try Tensor(values, shape: shape, dtype: .float32)
    }

    static func expectClose(_ actual: Tensor, _ expected: [Double], tolerance: Double = 1e-5, _ what: String) throws {
        let values = try actual.toArray(of: Double.self)
        #expect(values.count == expected.count, "\(what): \(values.count) values, PyTorch has \(expected.count)")
        for (i, (a, e)) in zip(values, expected).enumerated() where abs(a - e) > tolerance + 1e-5 * abs(e) {
            Issue.record("\(what)[\(i)]: \(a), PyTorch \(e)")
            return
        }
    }

    static func digitsCNN() throws -> Sequential {
        Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1)
            BatchNorm2d(4)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Conv2d(4, 8, kernelSize: 3)
            ReLU()
            Flatten()
            LayerNorm(32)
            Linear(32, 10)
        }
    }

    @Test("PyTorch's CNN file (conv, batch norm, pooling, layer norm) loads and reproduces its eval logits", arguments: cpuBackends)
    func pytorchCNN(backend: String) throws {
        let expected = try Self.expected()
        let file = try #require(Bundle.module.url(forResource: "cnn", withExtension: "safetensors", subdirectory: "Resources"))
        try Runtime.withBackend(backend) {
            let model = try Self.digitsCNN()
            #expect(model.stateDict().map(\.0) == expected.cnn.keys)
            let result = try model.load(from: file)
            #expect(result.missingKeys.isEmpty && result.unexpectedKeys.isEmpty)
            let tracked = try #require(model.namedBuffers().first { $0.0 == "1.num_batches_tracked" }?.1)
            #expect(tracked.dtype == .int64)
            #expect(try tracked.item(Int.self) == 3)
            model.eval()
            let logits = try withNoGrad { try model(Self.wave([3, 1, 8, 8], 0.17, 0.1)) }
            #expect(logits.shape == [3, 10])
            try Self.expectClose(logits, expected.cnn.logits, "logits on \(backend)")
        }
    }

    @Test("BatchNorm2d updates its running statistics as PyTorch does, and evaluates with them", arguments: cpuBackends)
    func batchNormRunningStatistics(backend: String) throws {
        let e = try Self.expected().batch_norm
        let x1 = try Self.wave([4, 3, 2, 2], 0.37, 1.0), x2 = try Self.wave([2, 3, 3, 1], 0.11, 0.5)
        try Runtime.withBackend(backend) {
            let bn = BatchNorm2d(3, dtype: .float32)
            #expect(bn.namedParameters().map(\.0) == ["weight", "bias"])
            #expect(bn.namedBuffers().map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
            try Self.expectClose(try bn(x1), e.train_output, "training output")
            _ = try bn(x2)
            try Self.expectClose(try #require(bn.runningMean), e.running_mean, "running_mean")
            try Self.expectClose(try #require(bn.runningVar), e.running_var, "running_var")
            #expect(try #require(bn.numBatchesTracked).item(Int.self) == e.num_batches_tracked)
            bn.eval()
            try Self.expectClose(try bn(x1), e.eval_output, "eval output")

            let cumulative = BatchNorm2d(3, momentum: nil, dtype: .float32)
            _ = try cumulative(x1)
            _ = try cumulative(x2)
            try Self.expectClose(try #require(cumulative.runningMean), e.cumulative_mean, "cumulative running_mean")
            try Self.expectClose(try #require(cumulative.runningVar), e.cumulative_var, "cumulative running_var")
        }
    }

    @Test("BatchNorm1d and BatchNorm2d refuse inputs of the wrong rank, naming the layer and shape")
    func batchNormRanks() throws {
        let error = #expect(throws: TorchError.self) { try BatchNorm2d(3)(Tensor.zeros([4, 3])) }
        #expect(error?.message.contains("BatchNorm2d") == true && error?.message.contains("[4, 3]") == true)
        #expect(throws: TorchError.self) { try BatchNorm1d(3)(Tensor.zeros([2, 3, 4, 4])) }
        #expect(throws: TorchError.self) { try batchNorm(Tensor.zeros([4, 3]), runningMean: nil, runningVar: nil, training: false) }
        #expect(throws: TorchError.self) { try batchNorm(Tensor.zeros([1, 3]), runningMean: nil, runningVar: nil, training: true) }
    }

    @Test("Conv2d and Linear-style layers have PyTorch's names and default initialisation bounds")
    func conv2dInitialisation() throws {
        let conv = Conv2d(6, 8, kernelSize: [3, 2], groups: 2, generator: Generator(seed: 1))
        #expect(conv.namedParameters().map(\.0) == ["weight", "bias"])
        #expect(conv.weight.shape == [8, 3, 3, 2] && conv.bias?.shape == [8])
        let bound = 1 / Double(3 * 3 * 2).squareRoot()
        let w = try conv.weight.toArray(of: Double.self)
        #expect(w.allSatisfy { abs($0) <= bound } && w.contains { abs($0) > 0.8 * bound })
        // A bad size does not stop construction; the first forward call throws it.
        let badGroups = Conv2d(5, 8, kernelSize: 3, groups: 2)
        #expect(badGroups.constructionError?.message.contains("divisible by groups") == true)
        #expect(throws: TorchError.self) { try badGroups(Tensor.zeros([1, 5, 4, 4])) }
        let layerNorm = LayerNorm([3, 4])
        #expect(layerNorm.namedParameters().map(\.0) == ["weight", "bias"])
        #expect(try layerNorm.weight!.toArray(of: Double.self).allSatisfy { $0 == 1 })
    }

    @Test("conv2d names the operator, both shapes and the broken rule on a channel mismatch")
    func conv2dErrors() throws {
        let error = #expect(throws: TorchError.self) { try conv2d(Tensor.zeros([1, 3, 5, 5]), weight: Tensor.zeros([2, 4, 3, 3])) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("conv2d:") && message.contains("[1, 3, 5, 5]") && message.contains("[2, 4, 3, 3]") && message.contains("channels"))
        #expect(throws: TorchError.self) { try conv2d(Tensor.zeros([1, 1, 2, 2]), weight: Tensor.zeros([1, 1, 3, 3])) }
        #expect(throws: TorchError.self) { try conv2d(Tensor.zeros([1, 1, 5, 5]), weight: Tensor.zeros([1, 1, 3, 3]), stride: 0) }
        let pairError = #expect(throws: TorchError.self) { try conv2d(Tensor.zeros([1, 1, 5, 5]), weight: Tensor.zeros([1, 1, 3, 3]), stride: [1, 2, 3]) }
        #expect(pairError?.message == "conv2d: stride must be one int or two (height, width), got [1, 2, 3]")
        #expect(throws: TorchError.self) { try conv2d(Tensor.zeros([1, 1, 5, 5]), weight: Tensor.zeros([1, 1, 3, 3], dtype: .float64)) }
        #expect(throws: TorchError.self) { try maxPool2d(Tensor.zeros([5, 5]), kernelSize: 2) }
        #expect(throws: TorchError.self) { try maxPool2d(Tensor.zeros([1, 5, 5]), kernelSize: 2, padding: 2) }
    }

    @Test("an unbatched image gives the batched result without its batch dim", arguments: cpuBackends)
    func unbatchedImages(backend: String) throws {
        let x = try Self.wave([2, 6, 5], 0.3, 0.2), w = try Self.wave([3, 2, 3, 3], 0.7, 0.1)
        try Runtime.withBackend(backend) {
            let single = try conv2d(x, weight: w, padding: 1)
            let batched = try conv2d(x.unsqueeze(0), weight: w, padding: 1).squeeze(0)
            #expect(single.shape == [3, 6, 5])
            #expect(try single.toArray(of: Double.self) == batched.toArray(of: Double.self))
            #expect(try maxPool2d(x, kernelSize: 2).shape == [2, 3, 2])
        }
    }

    @Test("Embedding zeroes and freezes its padding row; out-of-range indices are errors")
    func embeddingPadding() throws {
        let table = Embedding(5, 3, paddingIdx: -1, generator: Generator(seed: 3))
        #expect(table.paddingIdx == 4)
        #expect(try table.weight.narrow(dim: 0, start: 4, length: 1).toArray(of: Double.self) == [0, 0, 0])
        let indices = try Tensor([Int64(4), 1, 4, 1], shape: [2, 2])
        try table(indices).sum().backward()
        let grad = try #require(table.weight.grad).toArray(of: Double.self)
        #expect(grad == [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let error = #expect(throws: TorchError.self) { try table(Tensor([Int64(5)], shape: [1])) }
        #expect(error?.message.hasPrefix("embedding:") == true && error?.message.contains("5 rows") == true)
        #expect(throws: TorchError.self) { try oneHot(Tensor([Int64(3)], shape: [1]), numClasses: 3) }
        #expect(try oneHot(Tensor([Int64(2), 0], shape: [2])).toArray(of: Int64.self) == [0, 0, 1, 1, 0, 0])
    }

    @Test("dropout: a seed gives one mask on every backend; survivors are scaled; eval and p = 0 are the identity")
    func dropoutMasks() throws {
        let x = try Tensor.ones([100, 100])
        let masks = try Self.cpuBackends.map { backend in
            try Runtime.withBackend(backend) { try dropout(x, p: 0.3, generator: Generator(seed: 11)).toArray(of: Double.self) }
        }
        #expect(masks.allSatisfy { $0 == masks[0] })
        let kept = masks[0].filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 })
        #expect(abs(Double(kept.count) / 10_000 - 0.7) < 0.03, "kept \(kept.count) of 10000 with p = 0.3")
        let layer = Dropout(p: 0.5)
        layer.eval()
        #expect(try layer(x) === x)
        #expect(try dropout(x, p: 0) === x)
        #expect(throws: TorchError.self) { try dropout(x, p: 1.5) }
        // The gradient reuses the mask.
        let leaf = try Tensor.ones([4, 5]).requiringGrad()
        let y = try dropout(leaf, p: 0.5, generator: Generator(seed: 5))
        try y.sum().backward()
        #expect(try #require(leaf.grad).toArray(of: Double.self) == y.toArray(of: Double.self))
    }

    @Test("a CNN with every new layer saves and loads through safetensors")
    func saveAndLoad() throws {
        func makeModel() throws -> Sequential {
            Sequential {
                Conv2d(1, 2, kernelSize: 3)
                BatchNorm2d(2)
                AvgPool2d(kernelSize: 2)
                Flatten()
                LayerNorm(8)
                Dropout(p: 0.1)
            }
        }
        let model = try makeModel()
        _ = try model(Self.wave([2, 1, 6, 6], 0.4, 0.3))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("swifttorch-cnn-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let copy = try makeModel()
        _ = try copy.load(from: url)
        for ((name, a), (_, b)) in zip(model.stateDict(), copy.stateDict()) {
            #expect(try a.toArray(of: Double.self) == b.toArray(of: Double.self), "\(name)")
        }
        model.eval(); copy.eval()
        let x = try Self.wave([1, 1, 6, 6], 0.9, 0.1)
        #expect(try model(x).toArray(of: Double.self) == copy(x).toArray(of: Double.self))
    }
}
