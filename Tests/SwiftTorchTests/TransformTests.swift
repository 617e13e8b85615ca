import SwiftTorch
import Testing

// Transforms: exact values, torchvision's draws from a seeded generator, and errors.

/// A [channels, height, width] float32 image whose pixel k (row-major) is `k`.
private func countingImage(_ channels: Int, _ height: Int, _ width: Int) throws -> Tensor {
    try Tensor((0..<(channels * height * width)).map(Double.init), shape: [channels, height, width], dtype: .float32)
}

@Suite("Transforms")
struct TransformTests {
    @Test func toTensorScalesPixelValuesIntoTheUnitIntervalAsFloat32() throws {
        let pixels: [Double] = [0, 1, 51, 128, 254, 255]
        let scaled = try ToTensor()(Tensor(pixels, shape: [1, 2, 3], dtype: .float64))
        #expect(scaled.dtype == .float32)
        #expect(scaled.shape == [1, 2, 3])
        #expect(try scaled.toArray(of: Float.self) == pixels.map { Float($0) / 255 })
    }

    @Test func normalizeShiftsAndScalesEachChannel() throws {
        let image = try countingImage(2, 1, 2)                      // channel 0: 0, 1; channel 1: 2, 3
        let normalized = try Normalize(mean: [0.5, 1], std: [0.25, 2])(image)
        let expected: [Float] = [-0.5 / 0.25, 0.5 / 0.25, 1.0 / 2, 2.0 / 2]
        #expect(try normalized.toArray(of: Float.self) == expected)
        // One value stands for every channel; a batch of images [N, C, H, W] works too.
        let shared = try Normalize(mean: [0.1307], std: [0.3081])(image.unsqueeze(0))
        #expect(shared.shape == [1, 2, 1, 2])
        #expect(try shared.toArray(of: Float.self) == [0, 1, 2, 3].map { (Float($0) - Float(0.1307)) / Float(0.3081) })
    }

    @Test func normalizeRejectsWrongInputs() throws {
        let image = try countingImage(3, 2, 2)
        let channels = #expect(throws: TorchError.self) { try Normalize(mean: [0, 0], std: [1, 1])(image) }
        #expect(channels?.message.contains("2 mean values for an image of 3 channels") == true)
        let zero = #expect(throws: TorchError.self) { try Normalize(mean: [0], std: [1e-50])(image) }
        #expect(zero?.message.contains("divide by zero") == true)
        #expect(throws: TorchError.self) { try Normalize(mean: [0], std: [1])(Tensor.zeros([4, 4])) }
        #expect(throws: TorchError.self) { try Normalize(mean: [0], std: [1])(Tensor(Array(0..<8), shape: [2, 2, 2])) }
    }

    @Test func composeAppliesItsTransformsInOrder() throws {
        let transform = Compose([ToTensor(), Normalize(mean: [0.5], std: [0.5]), Lambda { try $0 * 2 }])
        let output = try transform(Tensor([0, 255, 51], shape: [1, 1, 3]))
        let expected = [Float(0), 255, 51].map { 2 * (($0 / 255 - 0.5) / 0.5) }
        #expect(try output.toArray(of: Float.self) == expected)
        #expect(try Compose([])(Tensor([1.5], shape: [1])).toArray(of: Double.self) == [1.5])
    }

    @Test func randomCropDrawsTopThenLeftAndPadsWithTheFill() throws {
        let image = try countingImage(1, 3, 3)                      // 0 1 2 / 3 4 5 / 6 7 8
        for seed in UInt64(0)..<20 {
            let crop = try RandomCrop(3, padding: 1, fill: -1, generator: Generator(seed: seed))(image)
            // torchvision's get_params: top, then left, each uniform over the 3 positions that fit.
            let replica = Generator(seed: seed)
            let top = Int(replica.integers(1, low: 0, high: 3)[0]), left = Int(replica.integers(1, low: 0, high: 3)[0])
            let padded: [[Double]] = [[-1, -1, -1, -1, -1], [-1, 0, 1, 2, -1], [-1, 3, 4, 5, -1], [-1, 6, 7, 8, -1], [-1, -1, -1, -1, -1]]
            let expected = (top..<(top + 3)).flatMap { r in padded[r][left..<(left + 3)] }
            #expect(crop.shape == [1, 3, 3])
            #expect(try crop.toArray(of: Double.self) == expected, "seed \(seed): top \(top), left \(left)")
        }
    }

    @Test func randomCropOfASeedIsTheSameEveryTimeAndCoversEveryPosition() throws {
        let image = try countingImage(2, 4, 4)
        let a = try (0..<30).map { _ in try RandomCrop(2, generator: Generator(seed: 5))(image).toArray(of: Double.self) }
        #expect(Set(a).count == 1)
        let shared = Generator(seed: 5)
        let corners = try (0..<200).map { _ in try RandomCrop(2, generator: shared)(image).toArray(of: Double.self)[0] }
        #expect(Set(corners) == Set([0, 1, 2, 4, 5, 6, 8, 9, 10]))   // all 3x3 top-left positions
        // Both channels are cropped at the same place.
        let crop = try RandomCrop((height: 2, width: 3), generator: Generator(seed: 1))(image)
        let values = try crop.toArray(of: Double.self)
        #expect(crop.shape == [2, 2, 3])
        #expect(values[6...].map { $0 - 16 } == Array(values[..<6]))
    }

    @Test func randomCropOfTheWholePaddedImageDrawsNothing() throws {
        let generator = Generator(seed: 3)
        let before = generator.getState()
        let image = try countingImage(1, 2, 2)
        #expect(try RandomCrop(2, generator: generator)(image).toArray(of: Double.self) == [0, 1, 2, 3])
        #expect(try RandomCrop(4, padding: 1, generator: generator)(image).toArray(of: Double.self)
                == [0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 3, 0, 0, 0, 0, 0])
        #expect(generator.getState() == before)
    }

    @Test func randomCropRejectsWindowsThatDoNotFit() throws {
        let image = try countingImage(1, 4, 4)
        let error = #expect(throws: TorchError.self) { try RandomCrop(7, padding: 1)(image) }
        #expect(error?.message.contains("7x7 window does not fit the 6x6 padded image") == true)
        #expect(throws: TorchError.self) { try RandomCrop(0)(image) }
        #expect(throws: TorchError.self) { try RandomCrop(2, padding: -1)(image) }
        #expect(throws: TorchError.self) { try RandomCrop(1)(Tensor([1.0], shape: [1])) }
    }

    @Test func randomHorizontalFlipMirrorsTheLastDimensionWithProbabilityP() throws {
        let image = try countingImage(2, 1, 3)
        #expect(try RandomHorizontalFlip(p: 1)(image).toArray(of: Double.self) == [2, 1, 0, 5, 4, 3])
        #expect(try RandomHorizontalFlip(p: 0)(image).toArray(of: Double.self) == [0, 1, 2, 3, 4, 5])
        for seed in UInt64(0)..<20 {
            let flipped = try RandomHorizontalFlip(generator: Generator(seed: seed))(image).toArray(of: Double.self)
            let flips = Generator(seed: seed).uniform(1, bits: 24)[0] < 0.5
            #expect(flipped == (flips ? [2, 1, 0, 5, 4, 3] : [0, 1, 2, 3, 4, 5]), "seed \(seed)")
        }
        let shared = Generator(seed: 8)
        let flips = try (0..<1000).filter { _ in try RandomHorizontalFlip(p: 0.3, generator: shared)(image).toArray(of: Double.self)[0] == 2 }
        #expect((250...350).contains(flips.count))
        #expect(throws: TorchError.self) { try RandomHorizontalFlip(p: 1.5)(image) }
    }

    @Test func randomTransformsInALoaderAreTheSameForAnyWorkerCount() async throws {
        let images = try Tensor((0..<(24 * 16)).map(Double.init), shape: [24, 1, 4, 4], dtype: .float32)
        let augment = Compose([RandomCrop(4, padding: 2), RandomHorizontalFlip()])
        struct Augmented: Dataset {
            let images: Tensor
            let augment: Compose
            var count: Int { images.shape[0] }
            subscript(index: Int) -> Tensor { get throws { try augment(images[index]) } }
        }
        var runs: [[Double]] = []
        for workers in [0, 1, 3] {
            let loader = DataLoader(Augmented(images: images, augment: augment), batchSize: 5, shuffle: true,
                                    numWorkers: workers, generator: Generator(seed: 21))
            var values: [Double] = []
            for _ in 0..<2 { for try await batch in loader { values += try batch.toArray(of: Double.self) } }
            runs.append(values)
        }
        #expect(runs[1] == runs[0])
        #expect(runs[2] == runs[0])
        // The crops moved: not every image came through unchanged.
        #expect(runs[0].filter { $0 == 0 }.count > 24)
    }
}
