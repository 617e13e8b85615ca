import SwiftTorch

/// The digits examples' data: the bundled 8×8 digits on the active backend's device (the
/// GPU with SWIFTTORCH_BACKEND=cuda), pixels scaled to [0, 1], split 80/20 with a fixed
/// seed; shuffled training batches of 64 and test batches of 256.
public struct DigitsData {
    public let train: DataLoader<Subset<TensorDataset>>
    public let test: DataLoader<Subset<TensorDataset>>
    public let testCount: Int

    /// `imageShape` is each sample's shape: `[64]` for an MLP, `[1, 8, 8]` for a CNN.
    public init(imageShape: [Int]) throws {
        let device = try Runtime.activePriority().defaultDevice
        let digits = try Digits.load()
        let images = try (digits.features.to(device) / 16.0).reshape([-1] + imageShape)
        let dataset = try TensorDataset(images, digits.labels.to(device))
        let split = try randomSplit(dataset, fractions: [0.8, 0.2], generator: Generator(seed: 42))
        train = DataLoader(split[0], batchSize: 64, shuffle: true, generator: Generator(seed: 7))
        test = DataLoader(split[1], batchSize: 256)
        testCount = split[1].count
    }

    /// Prints `model`'s test accuracy with the backend and the training time.
    public func evaluate(_ model: some UnaryLayer, trainingTime: Duration) throws {
        let correct = try countCorrect(model, on: test)
        let backend = try Runtime.activePriority().description
        print(String(format: "test accuracy: %.2f%% (%d/%d), backend: %@, training time: %@",
                     100 * Double(correct) / Double(testCount), correct, testCount, backend, "\(trainingTime)"))
    }
}
