import Testing
import SwiftTorch
@testable import SwiftTorchDistributed

/// Without mpirun a program is a world of one: MPI is never initialised, every collective
/// is a local copy, and DistributedDataParallel trains exactly as the bare model does.
@Suite struct WorldOfOneTests {
    @Test func environmentWithoutMPIRunIsAWorldOfOne() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        #expect(group.rank == 0 && group.worldSize == 1)
        #expect(group.timeout == .seconds(300))
        try group.barrier()
    }

    @Test func environmentIsParsedAndCheckedLikeMPIRunsOwn() throws {
        let settings = try DistributedEnvironment(["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_RANK": "2", "SWIFTTORCH_DIST_TIMEOUT": "2.5"])
        #expect(settings.launched?.rank == 2 && settings.launched?.worldSize == 4)
        #expect(settings.timeout == .milliseconds(2500))
        #expect(try DistributedEnvironment(["SWIFTTORCH_DIST_TIMEOUT": "0"]).timeout == nil)
        #expect(throws: TorchError.self) { try DistributedEnvironment(["OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "2"]) }
        #expect(throws: TorchError.self) { try DistributedEnvironment(["SWIFTTORCH_DIST_TIMEOUT": "soon"]) }
    }

    @Test func collectivesAreLocalCopies() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        let ints = try Tensor([7, -5, 3], shape: [3], dtype: .int64)
        try group.allReduce(ints, op: .average)
        #expect(ints.int64Values() == [7, -5, 3])
        let strided = try Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3]).t()
        try group.allReduce(strided, op: .sum)
        #expect(strided.doubleValues() == [1, 4, 2, 5, 3, 6])
        try group.broadcast(strided, from: 0)
        #expect(strided.doubleValues() == [1, 4, 2, 5, 3, 6])
        let gathered = try group.allGather(strided)
        #expect(gathered.count == 1 && gathered[0].shape == [3, 2] && gathered[0].doubleValues() == [1, 4, 2, 5, 3, 6])
        let block = try group.reduceScatter(strided, op: .max)
        #expect(block.shape == [3, 2] && block.doubleValues() == [1, 4, 2, 5, 3, 6])
    }

    @Test func badInputsThrowNamingTheCollective() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        let error = #expect(throws: TorchError.self) { try group.allReduce(try Tensor([true], shape: [1])) }
        #expect(error?.message.contains("allReduce(sum) of bool[1]") == true)
        let root = #expect(throws: TorchError.self) { try group.broadcast(try Tensor.zeros([2]), from: 1) }
        #expect(root?.message.contains("root must be a rank in 0..<1") == true)
        #expect(throws: TorchError.self) { _ = try group.reduceScatter(try Tensor(3.0)) }
    }

    @Test func dataParallelTrainsAsTheBareModel() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        // Own generators: other suites draw from the default one in parallel.
        func make() throws -> Sequential {
            let generator = Generator(seed: 0)
            return try Sequential { Linear(4, 8, generator: generator); ReLU(); Linear(8, 3, generator: generator) }.to(.float64)
        }
        let data = Generator(seed: 1)
        let x = try Tensor.randn([16, 4], dtype: .float64, generator: data), y = try Tensor.randint(high: 3, [16], generator: data)
        let bare = try make()
        let parallel = try DistributedDataParallel(try make(), processGroup: group, bucketCapMB: 1e-4)
        #expect(parallel.bucketLayout.count > 1)
        #expect(parallel.namedParameters().map(\.0).first == "module.0.weight")
        let loss = CrossEntropyLoss()
        for (model, optimizer) in [(bare as any UnaryLayer, try SGD(bare.parameters(), lr: 0.1, momentum: 0.9)),
                                   (parallel, try SGD(parallel.parameters(), lr: 0.1, momentum: 0.9))] {
            for _ in 0..<5 {
                optimizer.zeroGrad()
                try loss(model(x), y).backward()
                try optimizer.step()
            }
        }
        for (a, b) in zip(bare.parameters(), parallel.parameters()) { #expect(a.doubleValues() == b.doubleValues()) }
    }

    @Test func noSyncAccumulatesLocallyThenTheNextBackwardSynchronises() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        let generator = Generator(seed: 1)
        let parallel = try DistributedDataParallel(Linear(3, 2, generator: generator), processGroup: group)
        let x = try Tensor.randn([4, 3], generator: generator)
        try parallel.noSync { try parallel(x).sum().backward() }
        let local = try #require(parallel.module.weight.grad).doubleValues()
        try parallel(x).sum().backward()
        // The second pass added the same gradient again; bucket views replace the grads.
        #expect(try #require(parallel.module.weight.grad).doubleValues() == local.map { 2 * $0 })
    }

    @Test func aGradientTheCallerHoldsIsNeverOverwrittenByTheNextPass() throws {
        let group = try ProcessGroup.initialize(environment: [:])
        let parallel = try DistributedDataParallel(Linear(2, 1, generator: Generator(seed: 2)), processGroup: group)
        try parallel(try Tensor([[1.0, 2.0]])).sum().backward()
        let held = try #require(parallel.module.weight.grad)
        parallel.zeroGrad()
        try parallel(try Tensor([[10.0, 20.0]])).sum().backward()
        #expect(held.doubleValues() == [1, 2])
        #expect(try #require(parallel.module.weight.grad).doubleValues() == [10, 20])
        // Once nothing holds the last pass's gradients, their buffer is reused: same values.
        parallel.zeroGrad()
        try parallel(try Tensor([[3.0, 4.0]])).sum().backward()
        #expect(try #require(parallel.module.weight.grad).doubleValues() == [3, 4])
    }
}
