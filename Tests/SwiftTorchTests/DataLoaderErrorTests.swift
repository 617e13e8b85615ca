import SwiftTorch
import Testing

// A sample that fails is a thrown error at the user's `for try await` loop, never a trap:
// the loop sees the batches before it, then the dataset's own error, unchanged.

/// Sample i is [i as float32 [1], i as int64 []]; sample `failing` throws `error`. Samples
/// are arrays, so batches are too (`batch[1]`): the loader's path for other field counts.
private struct FailingDataset: Dataset {
    var count: Int = 100
    var failing = 37
    var error: any Error = TorchError(.io, "record 37 of shard-0.bin: checksum mismatch")

    subscript(index: Int) -> [Tensor] {
        get throws {
            if index == failing { throw error }
            return [try Tensor([Double(index)], shape: [1]), try Tensor(index)]
        }
    }
}

/// A dataset error that is not a TorchError, to see that the loader passes it on as it is.
private struct DecodeFailure: Error, Equatable {
    let record: Int
}

/// A dataset whose count is a programming error.
private struct NegativeCountDataset: Dataset {
    var count: Int { -3 }
    subscript(index: Int) -> [Tensor] { get throws { [] } }
}

/// The labels of each batch the loop saw before it ended, and the error that ended it.
private func drain<D: Dataset>(_ loader: DataLoader<D>) async -> (labels: [[Int]], error: (any Error)?) where D.Sample == [Tensor] {
    var labels: [[Int]] = []
    do {
        for try await batch in loader { labels.append(try batch[1].toArray(of: Int.self)) }
        return (labels, nil)
    } catch {
        return (labels, error)
    }
}

@Suite("DataLoader errors")
struct DataLoaderErrorTests {
    @Test func anErrorThrownBySample37ReachesTheLoopWithItsMessage() async throws {
        let (labels, error) = await drain(DataLoader(FailingDataset(), batchSize: 8))
        // Batches 0 ..< 4 hold samples 0 ..< 32; batch 4 (32 ..< 40) holds sample 37.
        #expect(labels == (0..<4).map { b in Array((8 * b)..<(8 * b + 8)) })
        let thrown = try #require(error as? TorchError)
        #expect(thrown == TorchError(.io, "record 37 of shard-0.bin: checksum mismatch"))
    }

    @Test func aShuffledPassStopsAtTheBatchHoldingTheFailingSample() async throws {
        let loader = DataLoader(FailingDataset(), batchSize: 10, shuffle: true, generator: Generator(seed: 4))
        let (labels, error) = await drain(loader)
        #expect((error as? TorchError)?.message == "record 37 of shard-0.bin: checksum mismatch")
        // The order is the seeded one: the loop saw exactly the batches before sample 37's.
        let order = Generator(seed: 4).permutation(100)
        let failingBatch = try #require(order.firstIndex(of: 37)) / 10
        #expect(labels == (0..<failingBatch).map { b in Array(order[(10 * b)..<(10 * b + 10)]) })
    }

    @Test func anErrorOfTheDatasetsOwnTypeArrivesUnchanged() async {
        let dataset = FailingDataset(failing: 3, error: DecodeFailure(record: 3))
        let (labels, error) = await drain(DataLoader(dataset, batchSize: 2))
        #expect(labels == [[0, 1]])
        #expect(error as? DecodeFailure == DecodeFailure(record: 3))
    }

    @Test func anErrorEndsThePassAndTheNextPassStartsAfresh() throws {
        let loader = DataLoader(FailingDataset(count: 6, failing: 2), batchSize: 2)
        var pass = loader.makeAsyncIterator()
        #expect(try pass.next()?[1].toArray(of: Int.self) == [0, 1])
        #expect(throws: TorchError.self) { try pass.next() }
        #expect(try pass.next() == nil)
        var again = loader.makeAsyncIterator()
        #expect(try again.next()?[1].toArray(of: Int.self) == [0, 1])
    }

    @Test func aNegativeDatasetCountIsAnErrorAtTheLoop() async {
        let loader = DataLoader(NegativeCountDataset(), batchSize: 4)
        #expect(loader.count == 0)
        let (labels, error) = await drain(loader)
        #expect(labels.isEmpty)
        #expect((error as? TorchError)?.kind == .invalidArgument)
        #expect((error as? TorchError)?.message.contains("-3 samples") == true)
    }

    @Test func aHugeBatchSizeGivesOneBatchOfEverySample() async throws {
        let loader = DataLoader(FailingDataset(count: 5, failing: -1), batchSize: .max)
        #expect(loader.count == 1)
        #expect(DataLoader(FailingDataset(count: 5, failing: -1), batchSize: .max, dropLast: true).count == 0)
        let (labels, error) = await drain(loader)
        #expect(error == nil)
        #expect(labels == [[0, 1, 2, 3, 4]])
    }

    @Test func randomSplitLengthsThatOverflowAreAnError() throws {
        let data = FailingDataset(count: 10)
        let error = #expect(throws: TorchError.self) { try randomSplit(data, lengths: [.max, 11]) }
        #expect(error?.kind == .invalidArgument)
        #expect(throws: TorchError.self) { try randomSplit(data, lengths: [.max, .max, 12]) }
    }
}
