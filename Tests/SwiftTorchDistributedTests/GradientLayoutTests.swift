import Testing
import SwiftTorch
@testable import SwiftTorchDistributed

/// Where DistributedDataParallel leaves the averaged gradients: views into one persistent
/// bucket buffer (`gradientAsBucketView`, the default), or each parameter's own tensor (the
/// copy layout, PyTorch's default). In a world of one, with the values of the bare model.
@Suite struct GradientLayoutTests {
    /// Linear(3, 2) and Linear(2, 1) in float64, in one bucket.
    func makeParallel(gradientAsBucketView: Bool) throws -> DistributedDataParallel<Sequential> {
        let generator = Generator(seed: 4)
        let model = try Sequential { Linear(3, 2, generator: generator); Tanh(); Linear(2, 1, generator: generator) }.to(.float64)
        return try DistributedDataParallel(model, processGroup: try ProcessGroup.initialize(environment: [:]),
                                           gradientAsBucketView: gradientAsBucketView)
    }

    func backward(_ parallel: DistributedDataParallel<Sequential>, _ scale: Double = 1) throws {
        let x = try Tensor([0.5, -1.0, 2.0, 1.5, 0.25, -0.75], shape: [2, 3], dtype: .float64) * scale
        try parallel(x).sum().backward()
    }

    func grads(_ parallel: DistributedDataParallel<Sequential>) throws -> [Tensor] {
        try parallel.parameters().map { try #require($0.grad) }
    }

    @Test func gradientsAreViewsIntoOneBufferReusedByEveryPass() throws {
        let parallel = try makeParallel(gradientAsBucketView: true)
        #expect(parallel.gradientAsBucketView)
        // The first pass rebuilds the buckets in the order gradients came; from the second
        // on, the layout and its buffer stay.
        try backward(parallel)
        parallel.zeroGrad()
        try backward(parallel)
        // Weak: a reference of the test's own would keep the reducer from reusing the buffer.
        weak var buffer: Storage?
        do {
            let first = try grads(parallel)
            // One bucket: every gradient views the same buffer, at its offset in the bucket.
            #expect(parallel.bucketLayout.count == 1)
            #expect(first.allSatisfy { $0.storage === first[0].storage })
            var offset = 0
            for index in parallel.bucketLayout[0] {
                #expect(first[index].offset == offset && first[index].isContiguous)
                offset += first[index].count
            }
            #expect(first[0].storage.byteCount == offset * DType.float64.itemSize)
            buffer = first[0].storage
        }
        // Once zeroGrad() has released the views, the next pass writes the same buffer.
        parallel.zeroGrad()
        try backward(parallel, 2)
        let kept = try #require(buffer)
        #expect(try grads(parallel).allSatisfy { $0.storage === kept })
    }

    @Test func copyLayoutLeavesEachGradientItsOwnTensorWithTheSameValues() throws {
        let views = try makeParallel(gradientAsBucketView: true), copies = try makeParallel(gradientAsBucketView: false)
        #expect(!copies.gradientAsBucketView)
        for parallel in [views, copies] { try backward(parallel) }
        let copied = try grads(copies)
        // No two gradients share memory in the copy layout.
        let storages = Set(copied.map { ObjectIdentifier($0.storage) })
        #expect(storages.count == copied.count)
        for (a, b) in zip(try grads(views), copied) { #expect(a.doubleValues() == b.doubleValues()) }
    }

    @Test func aHeldGradientKeepsItsValuesWhileLaterPassesTakeAnotherBuffer() throws {
        let parallel = try makeParallel(gradientAsBucketView: true)
        try backward(parallel)
        let held = try grads(parallel)
        let heldValues = held.map { $0.doubleValues() }
        parallel.zeroGrad()
        try backward(parallel, 3)
        let next = try grads(parallel)
        #expect(next[0].storage !== held[0].storage)
        #expect(held.map { $0.doubleValues() } == heldValues)
        #expect(next[0].doubleValues() != heldValues[0])
    }

    @Test func noSyncAddsToTheViewsValuesAndTheNextPassAveragesTheSum() throws {
        for layout in [true, false] {
            let parallel = try makeParallel(gradientAsBucketView: layout)
            try backward(parallel)
            let once = try grads(parallel).map { $0.doubleValues() }
            // No zeroGrad(): a noSync pass adds to the gradients of the synchronised one,
            // and a synchronised pass then averages all three (a world of one: the sum).
            try parallel.noSync { try backward(parallel) }
            #expect(try grads(parallel).map { $0.doubleValues() } == once.map { $0.map { 2 * $0 } })
            try backward(parallel)
            #expect(try grads(parallel).map { $0.doubleValues() } == once.map { $0.map { 3 * $0 } })
        }
    }

    @Test func aParameterWithoutAGradientGetsTheBucketsZerosInBothLayouts() throws {
        for layout in [true, false] {
            let generator = Generator(seed: 5)
            let used = Linear(2, 1, generator: generator), unused = Linear(2, 1, generator: generator)
            let model = Sequential { used; unused }
            let parallel = try DistributedDataParallel(model, processGroup: try ProcessGroup.initialize(environment: [:]),
                                                       gradientAsBucketView: layout)
            // Only the first layer takes part: the second's parameters get no local gradient,
            // and DDP gives them the all-reduced zeros (other ranks may have used them).
            try parallel.forward { _ in try used(try Tensor([[1.0, 2.0]])) }.sum().backward()
            #expect(try #require(used.weight.grad).doubleValues() == [1, 2])
            #expect(try #require(unused.weight.grad).doubleValues() == [0, 0])
            #expect(try #require(unused.bias?.grad).doubleValues() == [0])
        }
    }

    @Test func aStridedGradientGoesThroughTheGeneralCopyInBothLayouts() throws {
        for layout in [true, false] {
            let generator = Generator(seed: 6)
            let used = Linear(2, 1, generator: generator), idle = Linear(2, 2, bias: false, generator: generator)
            let parallel = try DistributedDataParallel(Sequential { used; idle }, processGroup: try ProcessGroup.initialize(environment: [:]),
                                                       gradientAsBucketView: layout)
            // The idle layer gets no gradient this pass; its .grad, set by hand, is a strided
            // view (columns 1 and 2 of a 2 x 4 tensor), which the fast copy cannot take.
            let wide = try Tensor([0.0, 1, 2, 0, 0, 3, 4, 0], shape: [2, 4], dtype: .float32)
            idle.weight.grad = try wide.narrow(dim: 1, start: 1, length: 2)
            #expect(try !#require(idle.weight.grad).isContiguous)
            try parallel.forward { _ in try used(try Tensor([1.0, 2], shape: [1, 2], dtype: .float32)) }.sum().backward()
            #expect(try #require(idle.weight.grad).doubleValues() == [1, 2, 3, 4])
            #expect(try #require(used.weight.grad).doubleValues() == [1, 2])
            // The copy layout writes the average back into the caller's own tensor (in a world
            // of one, the same values); the view layout leaves it and views the bucket.
            #expect((try #require(idle.weight.grad).storage === wide.storage) == !layout)
            #expect(wide.doubleValues() == [0, 1, 2, 0, 0, 3, 4, 0])
        }
    }

    /// A bucket of one parameter is reduced in the gradient's own memory when only `.grad`
    /// holds it, in both layouts; a gradient the caller also keeps goes through the bucket.
    /// A hook registered before DDP's notes each fresh gradient's memory (or keeps it).
    @Test func aLoneGradientIsReducedInItsOwnMemoryUnlessTheCallerKeepsIt() throws {
        for (keeps, layout) in [(false, true), (false, false), (true, true)] {
            let layer = Linear(3, 1, bias: false, generator: Generator(seed: 7))
            var seen: ObjectIdentifier?
            var kept: Tensor?
            let hook = try layer.weight.registerPostAccumulateGradHook { p in
                seen = ObjectIdentifier(p.grad!.storage)
                if keeps { kept = p.grad }
            }
            defer { hook.remove() }
            let parallel = try DistributedDataParallel(layer, processGroup: try ProcessGroup.initialize(environment: [:]),
                                                       gradientAsBucketView: layout)
            for scale in [1.0, 2.0] {
                layer.zeroGrad()
                try parallel(try Tensor([1, -2, 4], shape: [1, 3], dtype: .float32) * scale).sum().backward()
                let grad = try #require(layer.weight.grad)
                #expect(grad.doubleValues() == [1, -2, 4].map { $0 * scale })
                #expect((ObjectIdentifier(grad.storage) == seen) == !keeps)
                #expect(kept?.storage !== grad.storage || !keeps)
                #expect(try #require(parallel.reducer.buckets.first).storage == nil || keeps)
            }
        }
    }
}
