import SwiftTorchCore

// The training recipes the examples and the benchmarks share, so that `swifttorch bench`
// times exactly what `digits-mlp`, `digits-cnn` and `training-bench` run. Their PyTorch
// twins are in Benchmarks/pytorch_training.py.

/// Trains `model` for `epochs` passes over `loader`, PyTorch's beginner loop: for each batch,
/// `zeroGrad`, forward, cross entropy, `backward`, `step`. `afterStep` sees each step's loss
/// (epoch from 1, step from 0); `afterEpoch` sees each finished epoch and may throw to stop.
///
/// Synchronous, because `swifttorch bench` (a synchronous command) times it: it walks each
/// pass with the loader's iterator, whose `next()` throws what `for try await` would.
public func trainClassifier<D: Dataset>(
    _ model: some UnaryLayer, on loader: DataLoader<D>, optimizer: some Optimizer, epochs: Int,
    afterStep: (_ epoch: Int, _ step: Int, _ loss: Tensor) throws -> Void = { _, _, _ in },
    afterEpoch: (_ epoch: Int) throws -> Void = { _ in }
) throws where D.Sample == (Tensor, Tensor) {
    let lossFunction = CrossEntropyLoss()
    for epoch in 1...epochs {
        model.train()
        var batches = loader.makeAsyncIterator()
        var step = 0
        while let (inputs, labels) = try batches.next() {
            optimizer.zeroGrad()
            let loss = try lossFunction(model(inputs), labels)
            try loss.backward()
            try optimizer.step()
            try afterStep(epoch, step, loss)
            step += 1
        }
        try afterEpoch(epoch)
    }
}

/// How many of `loader`'s samples `model` classifies correctly (argmax of its outputs), in
/// evaluation mode and without recording gradients.
public func countCorrect<D: Dataset>(_ model: some UnaryLayer, on loader: DataLoader<D>) throws -> Int
where D.Sample == (Tensor, Tensor) {
    model.eval()
    var correct = 0
    try withNoGrad {
        var batches = loader.makeAsyncIterator()
        while let (inputs, labels) = try batches.next() {
            correct += try model(inputs).argmax(dim: 1).eq(labels).sum().item(Int.self)
        }
    }
    return correct
}

/// The bundled digits on the active backend's device, pixels scaled to [0, 1], split 80/20
/// by ``randomSplit(_:fractions:generator:)`` with `Generator(seed: 42)` (1438 training and
/// 359 test samples); training batches of 64 shuffled by `Generator(seed: 7)` (a new order
/// each epoch), test batches of 256.
///
/// Both generators are xoshiro256** seeded by SplitMix64 and the orders a Fisher–Yates
/// shuffle (``Generator/permutation(_:)``): `Benchmarks/pytorch_training.py` reproduces
/// them bit for bit, so PyTorch trains on the same split in the same batch order.
public struct DigitsData {
    /// The training split, in shuffled batches of 64.
    public let train: DataLoader<Subset<TensorDataset<(Tensor, Tensor)>>>
    /// The test split, in order, in batches of 256.
    public let test: DataLoader<Subset<TensorDataset<(Tensor, Tensor)>>>
    /// Samples in the test split (359).
    public var testCount: Int { test.dataset.count }

    /// `imageShape` is each sample's shape: `[64]` for an MLP, `[1, 8, 8]` for a CNN.
    public init(imageShape: [Int]) throws {
        let device = try Runtime.activePriority().defaultDevice
        let digits = try Digits.load()
        let images = try (digits.features.to(device) / 16.0).reshape([-1] + imageShape)
        let dataset = try TensorDataset(images, digits.labels.to(device))
        let split = try randomSplit(dataset, fractions: [0.8, 0.2], generator: Generator(seed: 42))
        train = DataLoader(split[0], batchSize: 64, shuffle: true, generator: Generator(seed: 7))
        test = DataLoader(split[1], batchSize: 256)
    }

    /// The fraction of the test split `model` classifies correctly.
    public func accuracy(_ model: some UnaryLayer) throws -> Double {
        Double(try countCorrect(model, on: test)) / Double(testCount)
    }
}

/// A digits classifier recipe: its model, its optimizer and its schedule (batch 64, 30
/// epochs, SGD with momentum 0.9, cross entropy, on ``DigitsData``).
public struct DigitsRecipe {
    /// `digits-mlp` or `digits-cnn`, the example's name.
    public let name: String
    /// One sample's shape as the model takes it.
    public let imageShape: [Int]
    /// SGD's learning rate.
    public let learningRate: Double
    /// SGD's momentum.
    public let momentum = 0.9
    /// Passes over the training split.
    public let epochs = 30
    /// Builds the model from the default generator (seeded with `manualSeed(0)` first).
    public let makeModel: () throws -> Sequential

    /// `Examples/DigitsMLP`: an MLP 64-128-64-10 with ReLU, SGD lr 0.01.
    public static var mlp: DigitsRecipe {
        DigitsRecipe(name: "digits-mlp", imageShape: [64], learningRate: 0.01) {
            Sequential {
                Linear(64, 128)
                ReLU()
                Linear(128, 64)
                ReLU()
                Linear(64, 10)
            }
        }
    }

    /// `Examples/DigitsCNN`: conv 3x3 (1→32, padding 1) → ReLU → max-pool 2 → conv 3x3
    /// (32→64, padding 1) → ReLU → flatten → linear (1024→10); SGD lr 0.05.
    public static var cnn: DigitsRecipe {
        DigitsRecipe(name: "digits-cnn", imageShape: [1, 8, 8], learningRate: 0.05) {
            Sequential {
                Conv2d(1, 32, kernelSize: 3, padding: 1)
                ReLU()
                MaxPool2d(kernelSize: 2)
                Conv2d(32, 64, kernelSize: 3, padding: 1)
                ReLU()
                Flatten()
                Linear(64 * 4 * 4, 10)
            }
        }
    }

    /// A fresh model (after `manualSeed(0)`) and its optimizer.
    public func makeModelAndOptimizer() throws -> (Sequential, SGD) {
        manualSeed(0)
        let model = try makeModel()
        return (model, try SGD(model.parameters(), lr: learningRate, momentum: momentum))
    }
}

/// The MNIST-sized MLP step of `training-bench` and the `mlp-step` workload: the MLP
/// 784-128-64-10 with ReLU, SGD (lr 0.01, momentum 0.9), cross entropy, on one fixed random
/// batch of 64 (randn images, randint labels, after `manualSeed(0)`).
public struct MLPStep {
    /// The MLP 784-128-64-10.
    public let model: Sequential
    /// SGD over the model's parameters.
    public let optimizer: SGD
    /// The batch: float32 [64, 784].
    public let inputs: Tensor
    /// The labels: int64 [64], in 0..<10.
    public let targets: Tensor
    private let lossFunction = CrossEntropyLoss()

    /// Builds the model, optimizer and batch after `manualSeed(0)`.
    public init() throws {
        manualSeed(0)
        model = Sequential {
            Linear(784, 128)
            ReLU()
            Linear(128, 64)
            ReLU()
            Linear(64, 10)
        }
        optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
        inputs = try Tensor.randn([64, 784])
        targets = try Tensor.randint(high: 10, [64])
    }

    /// One step: `zeroGrad`, forward, loss, `backward`, `step`.
    public func step() throws {
        optimizer.zeroGrad()
        try lossFunction(model(inputs), targets).backward()
        try optimizer.step()
    }
}
