import SwiftTorch

/// Averages the gradients of a model's parameters across ranks during backward, as
/// PyTorch's DDP `Reducer`.
///
/// A post-accumulate-grad hook on each parameter marks it ready. When every parameter of
/// a bucket is ready, its gradients are copied into the bucket's flat buffer, multiplied by
/// 1 / worldSize on the way (PyTorch's order: the all-reduce then sums averages, and nothing
/// passes over the buffer after it), and its all-reduce starts on the communication thread
/// while backward goes on; buckets start in index order, the same on every rank, whatever
/// order their gradients came in. A callback at the end of the pass starts what is left (a
/// parameter that got no gradient counts as zeros) and waits for every bucket. Then each
/// `.grad` becomes a view of its place in the bucket (`gradientAsBucketView`, no copy out)
/// or gets the average copied into it (PyTorch's default layout). A bucket of one parameter
/// whose gradient nothing else refers to skips the flat buffer: the gradient is averaged in
/// its own memory, which saves the bucket's memory and a copy, and keeps the working set of
/// a large parameter's step to its gradient alone.
///
/// The first buckets follow the reverse of the parameter order (backward produces the last
/// layer's gradients first). After the first synchronised pass they are rebuilt in the
/// order the gradients really came, as rank 0 saw it (broadcast, so every rank agrees).
final class GradientReducer {
    let parameters: [Tensor]
    let group: ProcessGroup
    let capBytes: Int
    /// Whether each `.grad` is left a view into its bucket after a synchronised pass
    /// (PyTorch's `gradient_as_bucket_view`), or keeps its own tensor.
    let gradientAsBucketView: Bool
    /// 1 / worldSize, applied while gradients are copied into their bucket.
    private let averagingFactor: Double
    private(set) var buckets: [GradientBucket]
    /// For each parameter: its bucket and its place in it.
    private var location: [(bucket: Int, slot: Int)] = []
    /// Set by a forward pass outside `noSync`: the next backward averages the gradients.
    var expectsBackward = false
    private var finishQueued = false
    private var nextToStart = 0
    private var isReady: [Bool]
    /// The order gradients came in the first synchronised pass; nil once buckets are rebuilt.
    private var observedOrder: [Int]? = []
    private var hooks: [GradHookHandle] = []
    /// Where each bucket's events go, with this model's number, when asked for.
    private let timeline: (BucketTimeline, model: Int)?
    private var pass = 0

    init(parameters: [Tensor], group: ProcessGroup, capBytes: Int, gradientAsBucketView: Bool) throws {
        self.parameters = parameters
        self.group = group
        self.capBytes = capBytes
        self.gradientAsBucketView = gradientAsBucketView
        averagingFactor = 1 / Double(group.worldSize)
        buckets = GradientBucket.assign(Array(parameters.indices.reversed()), parameters: parameters, capBytes: capBytes)
        isReady = [Bool](repeating: false, count: parameters.count)
        timeline = try BucketTimeline.shared(rank: group.rank).map { ($0, $0.newModel()) }
        locate()
        for (index, p) in parameters.enumerated() {
            hooks.append(try p.registerPostAccumulateGradHook { [weak self] _ in try self?.markReady(index) })
        }
    }

    deinit {
        for hook in hooks { hook.remove() }
    }

    private func locate() {
        location = Array(repeating: (0, 0), count: parameters.count)
        for (b, bucket) in buckets.enumerated() {
            for (slot, index) in bucket.members.enumerated() { location[index] = (b, slot) }
        }
    }

    /// Parameter `index` has its whole gradient of this pass.
    private func markReady(_ index: Int) throws {
        guard expectsBackward, !isReady[index] else { return }
        if !finishQueued {
            try queueBackwardCallback { [weak self] in try self?.finishPass() }
            finishQueued = true
        }
        isReady[index] = true
        observedOrder?.append(index)
        buckets[location[index].bucket].ready += 1
        while nextToStart < buckets.count, buckets[nextToStart].isFull { try start(nextToStart) }
    }

    /// Copies bucket `b`'s gradients into its flat buffer, each multiplied by 1 / worldSize
    /// (zeros for a parameter without one), and starts its all-reduce (a sum). The buffer is
    /// not zero-filled, since every element is written. A lone gradient that only `.grad`
    /// holds is instead multiplied in place and reduced where it is (``loneGradient(of:)``).
    private func start(_ b: Int) throws {
        record(.ready, b)
        let buffer: Tensor
        let isGradient: Bool
        if let gradient = loneGradient(of: b) {
            // The bucket's own buffer, if an earlier pass made one, is not needed.
            buckets[b].storage = nil
            if averagingFactor != 1 { try ScaledCopy.run(gradient, into: gradient, factor: averagingFactor) }
            (buffer, isGradient) = (gradient, true)
        } else {
            // Only now a copy of the bucket: it holds the buffer, which `flatBuffer` reuses
            // only while nothing else does.
            (buffer, isGradient) = (try flatBuffer(b), false)
            let bucket = buckets[b]
            for (slot, index) in bucket.members.enumerated() {
                let target = try view(of: buffer, slot, in: bucket)
                if let grad = parameters[index].grad {
                    try ScaledCopy.run(grad, into: target, factor: averagingFactor)
                } else {
                    try target.zero_()
                }
            }
        }
        record(.filled, b)
        var around: (@Sendable (Bool) -> Void)?
        if let (timeline, model) = timeline {
            let (pass, bytes) = (pass, buckets[b].count * buckets[b].dtype.itemSize)
            around = { begins in timeline.record(begins ? .mpiBegin : .mpiEnd, model: model, pass: pass, bucket: b, bytes: bytes) }
        }
        buckets[b].inFlight = (buffer, group.startAllReduce(buffer, op: .sum, what: description(of: b), around: around), isGradient)
        record(.submitted, b)
        nextToStart = b + 1
    }

    /// The gradient of bucket `b`'s one member, when the all-reduce may run in its memory:
    /// a contiguous CPU float tensor of the bucket's dtype, whose object only `.grad` holds
    /// and whose storage no other tensor views. Then averaging it in place changes nothing
    /// anyone else can see, and `.grad` ends as it would through the bucket.
    private func loneGradient(of b: Int) -> Tensor? {
        guard buckets[b].members.count == 1 else { return nil }
        let parameter = parameters[buckets[b].members[0]]
        guard var grad = parameter.grad, grad.isContiguous, grad.device.isCPU, grad.dtype == buckets[b].dtype,
              grad.dtype.isFloatingPoint else { return nil }
        // Our reference and `.grad`'s: unique once `.grad` lets go, unless someone else keeps one.
        parameter.grad = nil
        let alone = isKnownUniquelyReferenced(&grad) && grad.isSoleOwnerOfStorage
        parameter.grad = grad
        return alone ? grad : nil
    }

    private func record(_ event: BucketTimeline.Event, _ b: Int) {
        guard let (timeline, model) = timeline else { return }
        timeline.record(event, model: model, pass: pass, bucket: b, bytes: buckets[b].count * buckets[b].dtype.itemSize)
    }

    /// Bucket `b`'s flat buffer: the one of the last pass when nothing else holds it, else
    /// a new one. Only a `.grad` can hold it, as a view left by an earlier pass (with
    /// `gradientAsBucketView`) that the caller keeps or did not clear with `zeroGrad()`;
    /// the caller's gradient is then never overwritten. After `zeroGrad()`, or in the copy
    /// layout, a pass allocates nothing.
    private func flatBuffer(_ b: Int) throws -> Tensor {
        // Taken out of the bucket before anything copies the bucket: a copy of the struct
        // would hold the storage too, and the buffer would never look unused.
        var storage: Storage! = buckets[b].storage.take()
        let (count, dtype) = (buckets[b].count, buckets[b].dtype)
        if storage == nil || !isKnownUniquelyReferenced(&storage) {
            do { storage = try .cpu(byteCount: count * dtype.itemSize, zeroed: false) } catch let error as TorchError { throw error.raised(by: description(of: b)) }
        }
        buckets[b].storage = storage
        return try Tensor(storage: storage, shape: [count], strides: [1], offset: 0, dtype: dtype)
    }

    /// Bucket `b`'s all-reduce, for messages.
    private func description(of b: Int) -> String {
        "allReduce of gradient bucket \(b) (\(buckets[b].members.count) parameters, \(buckets[b].dtype)[\(buckets[b].count)], each divided by the world size)"
    }

    private func view(of buffer: Tensor, _ slot: Int, in bucket: GradientBucket) throws -> Tensor {
        let p = parameters[bucket.members[slot]]
        return try Tensor(viewOf: buffer, shape: p.shape, strides: Tensor.contiguousStrides(for: p.shape), offset: bucket.offsets[slot])
    }

    /// The end of a synchronised backward pass: every bucket started and finished, and its
    /// averages made the parameters' gradients.
    private func finishPass() throws {
        defer { reset() }
        while nextToStart < buckets.count { try start(nextToStart) }
        for (b, bucket) in buckets.enumerated() {
            guard let (buffer, collective, isGradient) = bucket.inFlight else { continue }
            try group.finish(collective)
            record(.reduced, b)
            buffer.storage.bumpVersion()  // MPI wrote it behind autograd's back
            // Reduced in the gradient's own memory: `.grad` already holds the average.
            if isGradient {
                buckets[b].inFlight = nil
                continue
            }
            for (slot, index) in bucket.members.enumerated() {
                let average = try view(of: buffer, slot, in: bucket)
                if gradientAsBucketView {
                    parameters[index].grad = average
                } else if let grad = parameters[index].grad {
                    // PyTorch's default: the gradient keeps its tensor, averaged in place.
                    try ScaledCopy.run(average, into: grad, factor: 1)
                } else {
                    parameters[index].grad = try average.clone()
                }
            }
            buckets[b].inFlight = nil
        }
        if let order = observedOrder { try rebuildBuckets(following: order) }
        // After the last `reduced`, so that no span of the pass includes the writing.
        timeline?.0.write()
    }

    /// Buckets in the order rank 0's gradients came (parameters that got none last).
    private func rebuildBuckets(following order: [Int]) throws {
        observedOrder = nil
        let complete = order + parameters.indices.filter { !order.contains($0) }
        let shared = try Tensor(complete.map(Int64.init), shape: [complete.count])
        try group.broadcast(shared, from: 0)
        let agreed = shared.int64Values().map { Int($0) }
        buckets = GradientBucket.assign(agreed, parameters: parameters, capBytes: capBytes)
        locate()
    }

    private func reset() {
        pass += 1
        expectsBackward = false
        finishQueued = false
        nextToStart = 0
        isReady = [Bool](repeating: false, count: parameters.count)
        for b in buckets.indices {
            buckets[b].ready = 0
            buckets[b].inFlight = nil
        }
    }
}
