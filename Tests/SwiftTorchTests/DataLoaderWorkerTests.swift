import SwiftTorch
import Synchronization
import Testing

// numWorkers: batches made ahead on worker threads are the batches, in the order, that the
// loop makes itself; a worker's error reaches the loop; a loop that leaves early stops them.

/// Counts the samples being made now and made in all.
private final class SampleCounter: Sendable {
    private let counts = Mutex((inFlight: 0, total: 0, peak: 0))
    var inFlight: Int { counts.withLock { $0.inFlight } }
    var total: Int { counts.withLock { $0.total } }

    func begin() {
        counts.withLock {
            $0.inFlight += 1
            $0.total += 1
            $0.peak = Swift.max($0.peak, $0.inFlight)
        }
    }

    func end() { counts.withLock { $0.inFlight -= 1 } }
}

/// Sample i is (features [i + noise], label i), where the noise is drawn from
/// `Generator.augmentation` as a random transform draws; sample `failing` throws.
private struct NoisyDataset: Dataset {
    var count = 40
    var failing = -1
    var counter = SampleCounter()

    subscript(index: Int) -> (Tensor, Tensor) {
        get throws {
            counter.begin()
            defer { counter.end() }
            if index == failing { throw TorchError(.io, "sample \(index): unreadable") }
            let noise = Generator.augmentation.uniform(1)[0]
            return (try Tensor([Double(index) + noise], shape: [1]), try Tensor(index))
        }
    }
}

/// Each batch's features and labels from one pass, through the documented loop.
private func pass<D: Dataset>(_ loader: DataLoader<D>) async throws -> [([Double], [Int])] where D.Sample == (Tensor, Tensor) {
    var batches: [([Double], [Int])] = []
    for try await (features, labels) in loader {
        batches.append((try features.toArray(of: Double.self), try labels.toArray(of: Int.self)))
    }
    return batches
}

@Suite("DataLoader workers")
struct DataLoaderWorkerTests {
    @Test func everyWorkerCountGivesTheSameBatchesForASeed() async throws {
        var runs: [[[([Double], [Int])]]] = []
        for workers in [0, 1, 3] {
            let loader = DataLoader(NoisyDataset(), batchSize: 6, shuffle: true, numWorkers: workers, generator: Generator(seed: 9))
            runs.append([try await pass(loader), try await pass(loader)])
        }
        let labels = runs.map { $0.map { $0.map(\.1) } }
        let features = runs.map { $0.map { $0.map(\.0) } }
        #expect(labels[1] == labels[0])
        #expect(labels[2] == labels[0])
        #expect(features[1] == features[0])
        #expect(features[2] == features[0])
        // The order is the seeded shuffle, and each epoch draws new noise and a new order.
        let order = Generator(seed: 9).permutation(40)
        #expect(labels[0][0].flatMap { $0 } == order)
        #expect(labels[0][0] != labels[0][1])
        let noise = features[0][0].flatMap { $0 }.enumerated().map { $0.element - Double(order[$0.offset]) }
        #expect(noise.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Set(noise).count == 40)
    }

    @Test func shuffledOrdersAreThePlainPermutationSequenceAndUnshuffledPassesDrawNewNoise() async throws {
        // The augmentation seed is taken without a draw when shuffling, so epoch e's order is
        // the generator's e-th permutation (what Benchmarks/pytorch_training.py replays).
        let shuffled = DataLoader(NoisyDataset(), batchSize: 8, shuffle: true, generator: Generator(seed: 7))
        let replica = Generator(seed: 7)
        for _ in 0..<3 {
            #expect(try await pass(shuffled).flatMap(\.1) == replica.permutation(40))
        }
        let inOrder = DataLoader(NoisyDataset(), batchSize: 8, generator: Generator(seed: 7))
        let (first, second) = (try await pass(inOrder), try await pass(inOrder))
        #expect(first.flatMap(\.1) == Array(0..<40))
        #expect(second.flatMap(\.1) == Array(0..<40))
        #expect(first.flatMap(\.0) != second.flatMap(\.0))
    }

    @Test func aWorkersErrorReachesTheLoopAfterTheBatchesBeforeIt() async throws {
        for workers in [1, 3] {
            let loader = DataLoader(NoisyDataset(failing: 17), batchSize: 5, numWorkers: workers)
            var labels: [[Int]] = []
            let error = await #expect(throws: TorchError.self) {
                for try await (_, batchLabels) in loader { labels.append(try batchLabels.toArray(of: Int.self)) }
            }
            #expect(error?.message == "sample 17: unreadable")
            #expect(labels == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14]])
        }
    }

    @Test func aLoopThatLeavesEarlyStopsItsWorkers() async throws {
        let counter = SampleCounter()
        let loader = DataLoader(NoisyDataset(count: 1000, counter: counter), batchSize: 2, numWorkers: 3)
        var seen = 0
        for try await _ in loader {
            seen += 1
            if seen == 2 { break }
        }
        // The workers were waited for: none is in a sample, and they made at most the two
        // batches taken and the six they may prepare ahead (two per worker), of two samples.
        #expect(counter.inFlight == 0)
        let made = counter.total
        #expect(made <= 2 * (2 + 6))
        // A pass whose iterator is dropped without being drained ends the same way.
        try takeOneBatchAndDropThePass(loader)
        #expect(counter.inFlight == 0)
        #expect(counter.total <= made + 2 * (1 + 6))
    }

    private func takeOneBatchAndDropThePass(_ loader: DataLoader<NoisyDataset>) throws {
        var iterator = loader.makeAsyncIterator()
        #expect(try iterator.next()?.1.toArray(of: Int.self) == [0, 1])
    }

    @Test func moreWorkersThanBatchesAndEmptyDatasetsAreFine() async throws {
        let loader = DataLoader(NoisyDataset(count: 3), batchSize: 2, numWorkers: 8)
        #expect(try await pass(loader).map(\.1) == [[0, 1], [2]])
        #expect(try await pass(DataLoader(NoisyDataset(count: 0), numWorkers: 2)).isEmpty)
    }

    @Test func aNegativeWorkerCountIsAnErrorAtTheLoop() async {
        let error = await #expect(throws: TorchError.self) {
            _ = try await pass(DataLoader(NoisyDataset(), numWorkers: -1))
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("numWorkers is -1") == true)
    }

    @Test func aCollateFunctionMakesEachBatchOnEveryWorkerCount() async throws {
        // Labels summed instead of stacked, features concatenated: any function of the samples.
        let sumLabels: DataLoader<NoisyDataset>.Collate = { samples in
            (try cat(samples.map(\.0)), try Tensor(try samples.map { try $0.1.item(Int.self) }.reduce(0, +)))
        }
        for workers in [0, 2] {
            let loader = DataLoader(NoisyDataset(count: 7), batchSize: 3, numWorkers: workers, collate: sumLabels)
            var sums: [Int] = []
            var lengths: [[Int]] = []
            for try await (features, labelSum) in loader {
                lengths.append(features.shape)
                sums.append(try labelSum.item(Int.self))
            }
            #expect(sums == [0 + 1 + 2, 3 + 4 + 5, 6])
            #expect(lengths == [[3], [3], [1]])
        }
    }

    @Test func workersRunUnderTheLoopsGradientMode() async throws {
        struct GradModeProbe: Dataset {
            var count: Int { 4 }
            subscript(index: Int) -> Tensor { get throws { try Tensor(GradMode.isEnabled ? 1 : 0) } }
        }
        let loader = DataLoader(GradModeProbe(), batchSize: 2, numWorkers: 2)
        var seen: [Int] = []
        try withNoGrad {
            var batches = loader.makeAsyncIterator()
            while let batch = try batches.next() { seen += try batch.toArray(of: Int.self) }
        }
        #expect(seen == [0, 0, 0, 0])
    }
}
