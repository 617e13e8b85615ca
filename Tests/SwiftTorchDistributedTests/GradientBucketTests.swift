import Testing
import SwiftTorch
@testable import SwiftTorchDistributed

/// How gradients are grouped for the all-reduce: PyTorch's assignment by size, one open
/// bucket per dtype, in the order given.
@Suite struct GradientBucketTests {
    @Test func bucketsFillUpToTheCapPerDType() throws {
        let parameters = [try Tensor.zeros([100]), try Tensor.zeros([100]), try Tensor.zeros([50], dtype: .float64), try Tensor.zeros([100])]
        // 400 bytes each; a cap of 800 takes two float32 gradients.
        let buckets = GradientBucket.assign([3, 2, 1, 0], parameters: parameters, capBytes: 800)
        #expect(buckets.map(\.members) == [[3, 1], [2], [0]])
        #expect(buckets.map(\.offsets) == [[0, 100], [0], [0]])
        #expect(buckets.map(\.count) == [200, 50, 100])
        #expect(buckets.map(\.dtype) == [.float32, .float64, .float32])
    }

    @Test func aParameterLargerThanTheCapGetsABucketOfItsOwn() throws {
        let parameters = [try Tensor.zeros([1000]), try Tensor.zeros([1])]
        let buckets = GradientBucket.assign([0, 1], parameters: parameters, capBytes: 16)
        #expect(buckets.map(\.members) == [[0], [1]])
    }

    @Test func dataParallelRebuildsBucketsInTheOrderGradientsCame() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        let generator = Generator(seed: 0)
        let model = Sequential { Linear(2, 3, generator: generator); ReLU(); Linear(3, 1, generator: generator) }
        // Tiny buckets: one per parameter, first in reverse parameter order.
        let parallel = try DistributedDataParallel(model, processGroup: group, bucketCapMB: 1e-6)
        #expect(parallel.bucketLayout == [[3], [2], [1], [0]])
        try parallel(try Tensor.ones([4, 2])).sum().backward()
        let rebuilt = parallel.bucketLayout
        #expect(rebuilt.count == 4 && Set(rebuilt.joined()) == [0, 1, 2, 3])
        // The last layer's gradients come before the first layer's.
        #expect(rebuilt.firstIndex(of: [3])! < rebuilt.firstIndex(of: [1])!)
        #expect(rebuilt.firstIndex(of: [2])! < rebuilt.firstIndex(of: [0])!)
    }
}
