import SwiftTorch
import Testing

// Two-field datasets give (inputs, labels) pairs that a loop unpacks as PyTorch's does;
// other field counts keep giving [Tensor].

/// Sample i is (features [i, 10 i] float32, label i int64), by subscript only: the loader
/// stacks pairs through the default `batch`.
private struct PairDataset: Dataset {
    var count = 5
    var failing = -1

    subscript(index: Int) -> (Tensor, Tensor) {
        get throws {
            if index == failing { throw TorchError(.io, "pair \(index) is damaged") }
            return (try Tensor([Double(index), Double(10 * index)], shape: [2], dtype: .float32), try Tensor(index))
        }
    }
}

/// Sample i is the single tensor [i, i].
private struct SingleTensorDataset: Dataset {
    var count: Int { 3 }
    subscript(index: Int) -> Tensor {
        get throws { try Tensor([Double(index), Double(index)], shape: [2]) }
    }
}

@Suite("Tuple batches")
struct TupleBatchTests {
    @Test func aTensorDatasetOfTwoTensorsGivesPairsThatTheLoopUnpacks() async throws {
        let features = try Tensor((0..<6).map(Double.init), shape: [3, 2], dtype: .float32)
        let data = try TensorDataset(features, Tensor([7, 8, 9], shape: [3]))
        let (x, y) = try data[1]
        #expect(try x.toArray(of: Double.self) == [2, 3])
        #expect(try y.item(Int.self) == 8)
        var seen: [([Double], [Int])] = []
        for try await (inputs, labels) in DataLoader(data, batchSize: 2) {
            seen.append((try inputs.toArray(of: Double.self), try labels.toArray(of: Int.self)))
        }
        #expect(seen.map(\.0) == [[0, 1, 2, 3], [4, 5]])
        #expect(seen.map(\.1) == [[7, 8], [9]])
    }

    @Test func aDatasetWithPairSamplesIsStackedIntoPairBatches() async throws {
        var batches: [(Tensor, Tensor)] = []
        for try await (inputs, labels) in DataLoader(PairDataset(), batchSize: 3) { batches.append((inputs, labels)) }
        #expect(batches.map { $0.0.shape } == [[3, 2], [2, 2]])
        #expect(try batches[0].0.toArray(of: Double.self) == [0, 0, 1, 10, 2, 20])
        #expect(try batches[1].1.toArray(of: Int.self) == [3, 4])
        #expect(batches[1].1.dtype == .int64)
    }

    @Test func oneTensorAndThreeTensorsGiveArrays() async throws {
        let rows = try Tensor((0..<4).map(Double.init), shape: [4, 1])
        var single: [[Tensor]] = []
        for try await batch in DataLoader(try TensorDataset(rows), batchSize: 4) { single.append(batch) }
        #expect(single.count == 1 && single[0].count == 1)
        #expect(try single[0][0].toArray(of: Double.self) == [0, 1, 2, 3])

        let triple = try TensorDataset(rows, rows * 2, rows * 3)
        var fields: [[Double]] = []
        for try await batch in DataLoader(triple, batchSize: 4) { fields = try batch.map { try $0.toArray(of: Double.self) } }
        #expect(fields == [[0, 1, 2, 3], [0, 2, 4, 6], [0, 3, 6, 9]])
        #expect(try TensorDataset([rows, rows, rows, rows])[2].count == 4)
    }

    @Test func singleTensorSamplesGiveTensorBatches() async throws {
        var batches: [Tensor] = []
        for try await batch in DataLoader(SingleTensorDataset(), batchSize: 2) { batches.append(batch) }
        #expect(batches.map(\.shape) == [[2, 2], [1, 2]])
        #expect(try batches[0].toArray(of: Double.self) == [0, 0, 1, 1])
    }

    @Test func aFailingPairIsAnErrorAtTheLoopAfterTheBatchesBeforeIt() async throws {
        var labels: [[Int]] = []
        let error = await #expect(throws: TorchError.self) {
            for try await (_, batchLabels) in DataLoader(PairDataset(count: 6, failing: 3), batchSize: 2) {
                labels.append(try batchLabels.toArray(of: Int.self))
            }
        }
        #expect(error?.message == "pair 3 is damaged")
        #expect(labels == [[0, 1]])
    }

    @Test func subsetsAndSplitsOfPairsArePairs() async throws {
        let data = try TensorDataset(Tensor.zeros([10, 3]), Tensor(Array(0..<10), shape: [10]))
        let parts = try randomSplit(data, lengths: [6, 4], generator: Generator(seed: 2))
        var labels: [Int] = []
        for try await (inputs, batchLabels) in DataLoader(parts[1], batchSize: 3) {
            #expect(inputs.shape[1] == 3)
            labels += try batchLabels.toArray(of: Int.self)
        }
        #expect(labels == parts[1].indices)
        #expect(try parts[1][0].1.item(Int.self) == parts[1].indices[0])
    }

    @Test func collateStacksPairsAndRejectsAnEmptyBatch() throws {
        let (x, y) = try collate([(Tensor.ones([2]), Tensor(1)), (Tensor.zeros([2]), Tensor(2))])
        #expect(x.shape == [2, 2])
        #expect(try y.toArray(of: Int.self) == [1, 2])
        #expect(throws: TorchError.self) { try collate([(Tensor, Tensor)]()) }
        #expect(throws: TorchError.self) { try collate([Tensor.ones([2]), Tensor.ones([3])]) }
    }
}
