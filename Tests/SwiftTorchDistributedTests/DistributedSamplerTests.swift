import Testing
import SwiftTorch
import SwiftTorchDistributed

/// PyTorch's DistributedSampler rules: shard sizes, padding, dropLast, rank striding,
/// shuffling by seed + epoch.
@Suite struct DistributedSamplerTests {
    @Test func unshuffledRanksStrideThroughPaddedOrder() throws {
        // 10 samples over 3 ranks: 4 each, padded with samples 0 and 1 (PyTorch's result).
        let shards = try (0..<3).map { try DistributedSampler(count: 10, numReplicas: 3, rank: $0, shuffle: false).indices() }
        #expect(shards == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]])
    }

    @Test func dropLastLeavesTheIncompleteRoundOut() throws {
        let shards = try (0..<3).map { try DistributedSampler(count: 10, numReplicas: 3, rank: $0, shuffle: false, dropLast: true).indices() }
        #expect(shards == [[0, 3, 6], [1, 4, 7], [2, 5, 8]])
        #expect(try DistributedSampler(count: 10, numReplicas: 3, rank: 0, dropLast: true).totalSize == 9)
    }

    @Test func paddingLongerThanTheDataRepeatsIt() throws {
        // 2 samples over 5 ranks: the order 0 1 is repeated to 0 1 0 1 0.
        let shards = try (0..<5).map { try DistributedSampler(count: 2, numReplicas: 5, rank: $0, shuffle: false).indices() }
        #expect(shards == [[0], [1], [0], [1], [0]])
    }

    @Test func shuffledShardsPartitionOneEpochAndChangeWithTheEpoch() throws {
        var samplers = try (0..<4).map { try DistributedSampler(count: 100, numReplicas: 4, rank: $0, seed: 3) }
        let first = samplers.map { $0.indices() }
        #expect(first.allSatisfy { $0.count == 25 })
        #expect(Set(first.joined()) == Set(0..<100))
        #expect(first[0] != Array(stride(from: 0, to: 100, by: 4)))
        // Same seed and epoch: the same order on every call; a new epoch: a new one.
        #expect(samplers[0].indices() == first[0])
        for i in samplers.indices { samplers[i].setEpoch(1) }
        let second = samplers.map { $0.indices() }
        #expect(Set(second.joined()) == Set(0..<100))
        #expect(second[0] != first[0])
        // Epoch e with seed s is the order of seed s + e (PyTorch seeds with seed + epoch).
        #expect(try DistributedSampler(count: 100, numReplicas: 4, rank: 0, seed: 4).indices() == second[0])
    }

    @Test func invalidRankOrReplicasThrow() {
        #expect(throws: TorchError.self) { try DistributedSampler(count: 10, numReplicas: 2, rank: 2) }
        #expect(throws: TorchError.self) { try DistributedSampler(count: 10, numReplicas: 0, rank: 0) }
        #expect(throws: TorchError.self) { try DistributedSampler(count: -1, numReplicas: 1, rank: 0) }
    }

    @Test func subsetFeedsADataLoader() throws {
        let data = try TensorDataset(Tensor.arange(10, dtype: .float32).reshape([10, 1]), Tensor.arange(10))
        let sampler = try DistributedSampler(count: 10, numReplicas: 2, rank: 1, shuffle: false)
        var batches = DataLoader(try sampler.subset(of: data), batchSize: 3).makeAsyncIterator()
        var labels: [Int64] = []
        while let (_, y) = try batches.next() { labels += y.int64Values() }
        #expect(labels == [1, 3, 5, 7, 9])
        #expect(throws: TorchError.self) { try sampler.subset(of: try Subset(data, indices: [0])) }
    }
}
