import SwiftTorch
import SwiftTorchDistributed

/// Rank `r`'s input: a [3, 4] tensor whose values depend on the rank and the position, so
/// every reduction has a result computable locally.
func input(rank: Int, dtype: DType) throws -> Tensor {
    try Tensor((0..<12).map { Double(($0 % 5) + 2 * rank + 1) }, shape: [3, 4], dtype: dtype)
}

/// The same tensor, as a transposed (non-contiguous) view of a [4, 3] tensor.
func transposedInput(rank: Int, dtype: DType) throws -> Tensor {
    let t = try input(rank: rank, dtype: dtype).t().contiguous().t()
    try expect(!t.isContiguous, "the transposed input should not be contiguous")
    return t
}

func expected(_ op: ReduceOp, ranks: Int, dtype: DType) throws -> [Double] {
    let all = try (0..<ranks).map { try input(rank: $0, dtype: dtype).doubleValues() }
    let result = (0..<12).map { i -> Double in
        let values = all.map { $0[i] }
        switch op {
        case .sum: return values.reduce(0, +)
        case .average:
            let sum = values.reduce(0, +)
            return dtype.isFloatingPoint ? sum / Double(ranks) : (sum / Double(ranks)).rounded(.towardZero)
        case .product: return values.reduce(1, *)
        case .min: return values.min()!
        case .max: return values.max()!
        }
    }
    // A float32 result is rounded once, as the float32 arithmetic rounds it.
    return dtype == .float32 ? result.map { Double(Float($0)) } : result
}

func checkCollectives(_ group: ProcessGroup) throws {
    var checks = 0
    let dtypes: [DType] = [.float32, .float64, .int32, .int64]
    for dtype in dtypes {
        for op in [ReduceOp.sum, .average, .product, .min, .max] {
            for make in [input, transposedInput] {
                let t = try make(group.rank, dtype)
                try group.allReduce(t, op: op)
                let want = try expected(op, ranks: group.worldSize, dtype: dtype)
                try expect(t.dtype == dtype && t.shape == [3, 4], "allReduce(\(op)) changed the tensor's dtype or shape")
                try expect(t.doubleValues() == want, "allReduce(\(op)) of \(dtype) on rank \(group.rank): \(t.doubleValues()) != \(want)")
                checks += 1
            }
            // reduceScatter: rows split over ranks; [3 * world, 4] so every rank gets 3 rows.
            let stacked = try cat((0..<group.worldSize).map { _ in try input(rank: group.rank, dtype: dtype) })
            let block = try group.reduceScatter(stacked, op: op)
            let want = try expected(op, ranks: group.worldSize, dtype: dtype)
            try expect(block.shape == [3, 4] && block.doubleValues() == want,
                       "reduceScatter(\(op)) of \(dtype) on rank \(group.rank): \(block.shape) \(block.doubleValues()) != \(want)")
            checks += 1
        }
    }
    for dtype in dtypes + [.bool] {
        for root in 0..<group.worldSize {
            for make in [input, transposedInput] {
                let t = try make(group.rank, dtype)
                try group.broadcast(t, from: root)
                try expect(t.doubleValues() == (try input(rank: root, dtype: dtype).doubleValues()),
                           "broadcast of \(dtype) from \(root) on rank \(group.rank): \(t.doubleValues())")
                checks += 1
            }
        }
        let gathered = try group.allGather(try transposedInput(rank: group.rank, dtype: dtype))
        try expect(gathered.count == group.worldSize, "allGather gave \(gathered.count) tensors")
        for (r, t) in gathered.enumerated() {
            try expect(t.doubleValues() == (try input(rank: r, dtype: dtype).doubleValues()),
                       "allGather of \(dtype): rank \(r)'s tensor on rank \(group.rank) is \(t.doubleValues())")
        }
        checks += 1
    }
    // A large buffer (several MPI segments) and an empty one.
    let large = try Tensor.full([1 << 20], Double(group.rank + 1), dtype: .float32)
    try group.allReduce(large, op: .sum)
    let total = Double(group.worldSize * (group.worldSize + 1) / 2)
    try expect(large.doubleValues().allSatisfy { $0 == total }, "allReduce of 2^20 float32 elements")
    let empty = try Tensor.zeros([0, 3])
    try group.allReduce(empty)
    checks += 2
    // Errors are thrown, naming the collective, shape and dtype; the group stays usable.
    do {
        try group.allReduce(try Tensor([true, false], shape: [2]))
        throw CheckFailure(description: "allReduce of a bool tensor did not throw")
    } catch let error as TorchError {
        try expect(error.message.contains("allReduce(sum) of bool[2]"), "unclear error: \(error.message)")
    }
    do {
        _ = try group.reduceScatter(try Tensor.zeros([group.worldSize + 1, 2]))
        throw CheckFailure(description: "reduceScatter of a non-divisible dimension did not throw")
    } catch let error as TorchError {
        try expect(error.kind == .shapeMismatch, "reduceScatter error kind \(error.kind): \(error.message)")
    }
    try checkBufferBroadcast(group)
    try group.barrier()
    checks += 3
    print("collectives: \(checks) checks passed on rank \(group.rank) of \(group.worldSize)")
}

/// DDP's `broadcastBuffers`: after a forward pass, the next forward starts from rank 0's
/// running statistics.
func checkBufferBroadcast(_ group: ProcessGroup) throws {
    let norm = BatchNorm1d(3)
    let parallel = try DistributedDataParallel(norm, processGroup: group)
    _ = try parallel(try Tensor.randn([8, 3]) * Double(group.rank + 1))
    let seen = try parallel.forward { module in try module.buffers().map { try $0.clone() } }
    for buffer in seen {
        let all = try group.allGather(buffer)
        try expect(all.allSatisfy { $0.doubleValues() == all[0].doubleValues() }, "buffers differ after the pre-forward broadcast: \(all.map { $0.doubleValues() })")
    }
}
