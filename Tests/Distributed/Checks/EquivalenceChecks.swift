import SwiftTorch
import SwiftTorchDistributed

/// 20 SGD-momentum steps of the digits MLP in float64, four ways, compared on every rank:
/// - reference: this process alone, on global batches of 64 (samples 64s ..< 64s + 64);
/// - ddp: DistributedDataParallel, rank r on samples 64s + 32r ..< 64s + 32r + 32 (for 2
///   ranks; 64 / N each in general), every rank's model first built from its own seed (the
///   construction broadcast must make them rank 0's);
/// - perParameter: a plain model whose gradients are averaged by one allReduce per parameter;
/// - accumulated: DDP with one bucket per parameter, each local batch split in two halves,
///   the first backward inside noSync;
/// - copied: ddp in the copy layout (`gradientAsBucketView: false`), and accumulated too.
/// Averaging the local mean losses' gradients is the global mean's gradient, so all of them
/// must agree: ddp with the reference within 1e-6 relative (float64), bucketing with the
/// per-parameter all-reduce to rounding, and the two layouts exactly (the same arithmetic;
/// only where the result is left differs). In the view layout, every gradient must be a
/// view into the one bucket (the MLP's gradients fit in 25 MB).
func checkEquivalence(_ group: ProcessGroup) throws {
    let steps = 20, global = 64
    try expect(global % group.worldSize == 0, "64 must split over \(group.worldSize) ranks")
    let local = global / group.worldSize
    let digits = try Digits.load()
    let images = try (digits.features.to(.float64) / 16.0), labels = digits.labels
    let lossFunction = CrossEntropyLoss()

    func model(seed: UInt64) throws -> Sequential {
        manualSeed(seed)
        return try DigitsRecipe.mlp.makeModel().to(.float64)
    }
    func batch(_ start: Int, _ count: Int) throws -> (Tensor, Tensor) {
        (try images.narrow(dim: 0, start: start, length: count), try labels.narrow(dim: 0, start: start, length: count))
    }
    func train(_ net: some UnaryLayer, _ parameters: [Tensor], afterBackward: () throws -> Void = {},
               _ step: (Int) throws -> Void) throws -> [Tensor] {
        let optimizer = try SGD(parameters, lr: 0.01, momentum: 0.9)
        for s in 0..<steps {
            optimizer.zeroGrad()
            try step(s)
            try afterBackward()
            try optimizer.step()
        }
        return parameters
    }

    let reference = try model(seed: 0)
    let expected = try train(reference, reference.parameters()) { s in
        let (x, y) = try batch(global * s, global)
        try lossFunction(reference(x), y).backward()
    }

    func trainDDP(gradientAsBucketView: Bool) throws -> DistributedDataParallel<Sequential> {
        let ddp = try DistributedDataParallel(try model(seed: UInt64(group.rank)), processGroup: group, gradientAsBucketView: gradientAsBucketView)
        _ = try train(ddp, ddp.parameters()) { s in
            let (x, y) = try batch(global * s + local * group.rank, local)
            try lossFunction(ddp(x), y).backward()
        }
        return ddp
    }
    let ddp = try trainDDP(gradientAsBucketView: true)
    let viaDDP = ddp.parameters()
    let grads = ddp.parameters().compactMap(\.grad)
    try expect(ddp.bucketLayout.count == 1 && grads.count == viaDDP.count && grads.allSatisfy { $0.storage === grads[0].storage },
               "with gradientAsBucketView, every gradient should view the one bucket (\(ddp.bucketLayout.count) buckets)")
    let viaCopyLayout = try trainDDP(gradientAsBucketView: false).parameters()

    let plain = try model(seed: 0)
    let viaPerParameter = try train(plain, plain.parameters(), afterBackward: {
        for p in plain.parameters() { try group.allReduce(p.grad!, op: .average) }
    }) { s in
        let (x, y) = try batch(global * s + local * group.rank, local)
        try lossFunction(plain(x), y).backward()
    }

    func trainAccumulating(gradientAsBucketView: Bool) throws -> [Tensor] {
        let tiny = try DistributedDataParallel(try model(seed: 0), processGroup: group, bucketCapMB: 1e-6, gradientAsBucketView: gradientAsBucketView)
        try expect(tiny.bucketLayout.count == tiny.parameters().count, "a tiny bucket cap should give one bucket per parameter, got \(tiny.bucketLayout)")
        return try train(tiny, tiny.parameters()) { s in
            let half = local / 2
            let (x1, y1) = try batch(global * s + local * group.rank, half)
            let (x2, y2) = try batch(global * s + local * group.rank + half, local - half)
            try tiny.noSync { try (lossFunction(tiny(x1), y1) * 0.5).backward() }
            try (lossFunction(tiny(x2), y2) * 0.5).backward()
        }
    }
    let viaAccumulation = try trainAccumulating(gradientAsBucketView: true)
    let viaCopiedAccumulation = try trainAccumulating(gradientAsBucketView: false)

    let ddpError = try maxRelativeDifference(viaDDP, expected)
    let bucketError = try maxRelativeDifference(viaDDP, viaPerParameter)
    let accumulationError = try maxRelativeDifference(viaAccumulation, expected)
    let layoutError = max(try maxRelativeDifference(viaCopyLayout, viaDDP), try maxRelativeDifference(viaCopiedAccumulation, viaAccumulation))
    let lone = try checkLoneGradients(group)
    print(String(format: "equivalence on rank %d of %d: ddp vs 1 process %.3g, bucketed vs per-parameter %.3g, noSync accumulation vs 1 process %.3g, copy layout vs bucket views %.3g (max relative, float64, %d steps); %@",
                 group.rank, group.worldSize, ddpError, bucketError, accumulationError, layoutError, steps, lone))
    try expect(ddpError <= 1e-6, "DDP differs from one process by \(ddpError) relative")
    try expect(bucketError <= 1e-12, "bucketed all-reduce differs from one all-reduce per parameter by \(bucketError) relative")
    try expect(accumulationError <= 1e-6, "noSync accumulation differs from one process by \(accumulationError) relative")
    try expect(layoutError == 0, "the copy layout differs from bucket views by \(layoutError) relative")
    // The models must still be identical across ranks.
    for p in viaDDP {
        let all = try group.allGather(p)
        try expect(all.allSatisfy { $0.doubleValues() == all[0].doubleValues() }, "DDP parameters differ between ranks")
    }
}

/// The largest |a - b| / max(|b|, tiny) over all elements of all tensors.
func maxRelativeDifference(_ a: [Tensor], _ b: [Tensor]) throws -> Double {
    var worst = 0.0
    for (x, y) in zip(a, b) {
        for (u, v) in zip(x.doubleValues(), y.doubleValues()) {
            worst = max(worst, abs(u - v) / max(abs(v), 1e-12))
        }
    }
    return worst
}

/// A bucket of one parameter is all-reduced in the gradient's own memory when only `.grad`
/// holds it, and through the bucket when the caller keeps the gradient too, whose values
/// then stay the local ones. Linear(4, 1) without bias, float64: rank r's input is
/// (r + 1) * [1, 2, 3, 4], so its local gradient is that and the average is (N + 1) / 2 times
/// [1, 2, 3, 4]. A hook registered before DDP's sees each fresh gradient first: it notes
/// the gradient's memory (without keeping it) or keeps the gradient itself.
func checkLoneGradients(_ group: ProcessGroup) throws -> String {
    let base = [1.0, 2, 3, 4]
    let local = base.map { $0 * Double(group.rank + 1) }
    let average = base.map { $0 * Double(group.worldSize + 1) / 2 }
    var notes: [String] = []
    for (keepsGradient, gradientAsBucketView) in [(false, true), (false, false), (true, true)] {
        let layer = try Linear(4, 1, bias: false).to(.float64)
        var seen: ObjectIdentifier?
        var kept: Tensor?
        let hook = try layer.weight.registerPostAccumulateGradHook { p in
            seen = ObjectIdentifier(p.grad!.storage)
            if keepsGradient { kept = p.grad }
        }
        defer { hook.remove() }
        let parallel = try DistributedDataParallel(layer, processGroup: group, gradientAsBucketView: gradientAsBucketView)
        for _ in 0..<2 {  // the first pass also rebuilds the buckets; the second is steady
            layer.zeroGrad()
            try parallel(try Tensor(local, shape: [1, 4], dtype: .float64)).sum().backward()
        }
        let grad = try layer.weight.grad.orThrow("no gradient")
        try expect(grad.doubleValues() == average, "lone bucket (keeps: \(keepsGradient), views: \(gradientAsBucketView)): gradient \(grad.doubleValues()), expected \(average)")
        let inPlace = ObjectIdentifier(grad.storage) == seen
        if keepsGradient {
            try expect(!inPlace, "a gradient the caller keeps must not be reduced in place")
            try expect(kept?.doubleValues() == local, "the kept gradient changed: \(kept?.doubleValues() ?? []), expected the local \(local)")
        } else {
            try expect(inPlace, "a gradient only .grad holds should be reduced in its own memory (views: \(gradientAsBucketView))")
        }
        notes.append(inPlace ? "in place" : "through the bucket")
    }
    return "lone bucket \(notes.joined(separator: ", "))"
}

private extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let value = self else { throw CheckFailure(description: "check failed: \(message)") }
        return value
    }
}
