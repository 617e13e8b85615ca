import CMPIBridge
import SwiftTorch

// The collectives, as PyTorch's `torch.distributed` functions. Each is synchronous: it
// returns when this rank's part is done, or throws (see ``ProcessGroup``).

extension ProcessGroup {
    /// Combines `tensor` across all ranks with `op`, in place: afterwards every rank holds the
    /// same result (PyTorch's `all_reduce`).
    public func allReduce(_ tensor: Tensor, op: ReduceOp = .sum) throws {
        let name = "allReduce(\(op)) of \(tensor.dtype)\(describe(shape: tensor.shape))"
        try checkUsable(name)
        let buffer = try CollectiveBuffer(tensor, for: name, reduces: true)
        try finish(startAllReduce(buffer.staging, op: op, what: name))
        // The communication thread divides floating-point averages; integers are divided here.
        if !tensor.dtype.isFloatingPoint { try buffer.divideForAverage(op, worldSize: worldSize) }
        try buffer.writeBack()
    }

    /// Replaces `tensor` on every rank with rank `root`'s, in place (PyTorch's `broadcast`).
    public func broadcast(_ tensor: Tensor, from root: Int = 0) throws {
        let name = "broadcast from rank \(root) of \(tensor.dtype)\(describe(shape: tensor.shape))"
        try checkUsable(name)
        guard (0..<worldSize).contains(root) else {
            throw TorchError(.invalidArgument, "\(name): the root must be a rank in 0..<\(worldSize), this is rank \(rank)")
        }
        let buffer = try CollectiveBuffer(tensor, for: name, reduces: false)
        guard let transport else { return }
        let (pointer, count, type, storage) = (SendablePointer(raw: buffer.pointer), buffer.count, buffer.mpiType, buffer.staging.storage)
        try finish(transport.submit(name) { withExtendedLifetime(storage) { st_mpi_broadcast(pointer.raw, count, type, Int32(root)) } })
        try buffer.writeBack()
    }

    /// Every rank's `tensor`, in rank order, on every rank (PyTorch's `all_gather`). Each
    /// rank must pass the same shape and dtype.
    public func allGather(_ tensor: Tensor) throws -> [Tensor] {
        let name = "allGather of \(tensor.dtype)\(describe(shape: tensor.shape))"
        try checkUsable(name)
        let input = try CollectiveBuffer(tensor, for: name, reduces: false)
        let gathered = try Tensor(zerosOnCPU: [worldSize] + tensor.shape, dtype: tensor.dtype, for: name)
        if let transport {
            let (source, target) = (SendablePointer(raw: input.pointer), SendablePointer(raw: gathered.storage.data))
            let (count, type, storages) = (input.count, input.mpiType, [input.staging.storage, gathered.storage])
            try finish(transport.submit(name) { withExtendedLifetime(storages) { st_mpi_allgather(source.raw, target.raw, count, type) } })
        } else {
            try withNoGrad { _ = try gathered[0].copy_(input.staging) }
        }
        return try (0..<worldSize).map { try gathered[$0] }
    }

    /// Reduces `tensor` across ranks with `op` and returns this rank's block of the result:
    /// rows `rank * n ..< (rank + 1) * n` along dimension 0, where `n` is dimension 0 divided
    /// by the world size (PyTorch's `reduce_scatter_tensor`).
    public func reduceScatter(_ tensor: Tensor, op: ReduceOp = .sum) throws -> Tensor {
        let name = "reduceScatter(\(op)) of \(tensor.dtype)\(describe(shape: tensor.shape))"
        try checkUsable(name)
        guard tensor.rank >= 1, tensor.shape[0] % worldSize == 0 else {
            throw TorchError(.shapeMismatch, "\(name): dimension 0 must split into \(worldSize) equal blocks, one per rank; it is \(tensor.rank >= 1 ? String(tensor.shape[0]) : "missing (a 0-d tensor)")")
        }
        let input = try CollectiveBuffer(tensor, for: name, reduces: true)
        let blockShape = [tensor.shape[0] / worldSize] + tensor.shape.dropFirst()
        let block = try Tensor(zerosOnCPU: blockShape, dtype: tensor.dtype, for: name)
        if let transport {
            let (source, target) = (SendablePointer(raw: input.pointer), SendablePointer(raw: block.storage.data))
            let (count, type, mpiOp, storages) = (Int32(block.count), input.mpiType, op.mpiOperation, [input.staging.storage, block.storage])
            try finish(transport.submit(name) { withExtendedLifetime(storages) { st_mpi_reduce_scatter(source.raw, target.raw, count, type, mpiOp) } })
        } else {
            try withNoGrad { _ = try block.copy_(input.staging) }
        }
        let result = try CollectiveBuffer(block, for: name, reduces: true)
        try result.divideForAverage(op, worldSize: worldSize)
        return block
    }

    /// Starts an in-place all-reduce of the contiguous CPU tensor `buffer` on the
    /// communication thread and returns at once; ``finish(_:)`` waits for it. A
    /// floating-point average is divided there too; an integer one is left summed. A world of
    /// one has nothing to combine: the collective is done already.
    /// `around`, when given, is called on the communication thread just before the MPI call
    /// (`true`) and just after it (`false`).
    func startAllReduce(_ buffer: Tensor, op: ReduceOp, what: String, around: (@Sendable (Bool) -> Void)? = nil) -> Collective {
        guard let transport else { return .finished(what) }
        let (pointer, count, type, storage) = (SendablePointer(raw: buffer.storage.data + buffer.offset * buffer.dtype.itemSize),
                                               Int32(buffer.count), buffer.dtype.mpiType, buffer.storage)
        if op == .average, buffer.dtype.isFloatingPoint {
            return transport.submit(what) { withExtendedLifetime(storage) { st_mpi_allreduce_average(pointer.raw, count, type) } }
        }
        let mpiOp = op.mpiOperation
        return transport.submit(what) {
            around?(true)
            defer { around?(false) }
            return withExtendedLifetime(storage) { st_mpi_allreduce(pointer.raw, count, type, mpiOp) }
        }
    }
}
