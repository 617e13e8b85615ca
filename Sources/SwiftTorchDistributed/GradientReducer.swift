import SwiftTorch

/// Averages the gradients of a model's parameters across ranks during backward, as
/// PyTorch's DDP `Reducer`.
///
/// A post-accumulate-grad hook on each parameter marks it ready. When every parameter of
/// a bucket is ready, its gradients are copied into one flat buffer and its all-reduce
/// starts on the communication thread while backward goes on; buckets start in index
/// order, the same on every rank, whatever order their gradients came in. A callback at
/// the end of the pass starts what is left (a parameter that got no gradient counts as
/// zeros), waits for every bucket (the communication thread has divided each sum by the
/// world size) and makes each `.grad` a view of its bucket's buffer.
///
/// The first buckets follow the reverse of the parameter order (backward produces the last
/// layer's gradients first). After the first synchronised pass they are rebuilt in the
/// order the gradients really came, as rank 0 saw it (broadcast, so every rank agrees).
final class GradientReducer {
    let parameters: [Tensor]
    let group: ProcessGroup
    let capBytes: Int
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

    init(parameters: [Tensor], group: ProcessGroup, capBytes: Int) throws {
        self.parameters = parameters
        self.group = group
        self.capBytes = capBytes
        buckets = GradientBucket.assign(Array(parameters.indices.reversed()), parameters: parameters, capBytes: capBytes)
        isReady = [Bool](repeating: false, count: parameters.count)
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

    /// Copies bucket `b`'s gradients into its flat buffer (zeros for a parameter without one)
    /// and starts its all-reduce. The buffer is the last pass's when no `.grad` views it any
    /// more, else a fresh one, so a gradient a caller still holds is never overwritten; it is
    /// not zero-filled, since every element is written.
    private func start(_ b: Int) throws {
        let bucket = buckets[b]
        let what = "allReduce(average) of gradient bucket \(b) (\(bucket.members.count) parameters, \(bucket.dtype)[\(bucket.count)])"
        var storage: Storage! = buckets[b].lastStorage.take()
        if storage == nil || !isKnownUniquelyReferenced(&storage) {
            do { storage = try .cpu(byteCount: bucket.count * bucket.dtype.itemSize, zeroed: false) } catch let error as TorchError { throw error.raised(by: what) }
        }
        let buffer = try Tensor(storage: storage, shape: [bucket.count], strides: [1], offset: 0, dtype: bucket.dtype)
        for (slot, index) in bucket.members.enumerated() {
            let target = try view(of: buffer, slot, in: bucket)
            guard let grad = parameters[index].grad else {
                try target.zero_()
                continue
            }
            if grad.isContiguous, grad.dtype == bucket.dtype, grad.device.isCPU, grad.count == target.count {
                // The usual case, as one memcpy: the copy kernel's general path costs more.
                (storage.data + bucket.offsets[slot] * bucket.dtype.itemSize)
                    .copyMemory(from: grad.storage.data + grad.offset * grad.dtype.itemSize, byteCount: grad.count * grad.dtype.itemSize)
            } else {
                try target.copy_(grad)
            }
        }
        buckets[b].inFlight = (buffer, group.startAllReduce(buffer, op: .average, what: what))
        nextToStart = b + 1
    }

    private func view(of buffer: Tensor, _ slot: Int, in bucket: GradientBucket) throws -> Tensor {
        let p = parameters[bucket.members[slot]]
        return try Tensor(viewOf: buffer, shape: p.shape, strides: Tensor.contiguousStrides(for: p.shape), offset: bucket.offsets[slot])
    }

    /// The end of a synchronised backward pass: every bucket started, finished and written
    /// back as the parameters' gradients.
    private func finishPass() throws {
        defer { reset() }
        while nextToStart < buckets.count { try start(nextToStart) }
        for (b, bucket) in buckets.enumerated() {
            guard let (buffer, collective) = bucket.inFlight else { continue }
            try group.finish(collective)
            buckets[b].lastStorage = buffer.storage
            for (slot, index) in bucket.members.enumerated() { parameters[index].grad = try view(of: buffer, slot, in: bucket) }
            buckets[b].inFlight = nil
        }
        if let order = observedOrder { try rebuildBuckets(following: order) }
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
