import SwiftTorchCore

extension Generator {
    /// A uniformly random ordering of `0 ..< n` (Fisher–Yates), as `torch.randperm`.
    public func permutation(_ n: Int) -> [Int] {
        guard n > 1 else { return Array(0..<max(n, 0)) }
        var order = Array(0..<n)
        // One draw per swap; taking a 64-bit value modulo i + 1 has a bias below 2^-40
        // for any dataset that fits in memory.
        let draws = next(n - 1)
        for (k, i) in stride(from: n - 1, to: 0, by: -1).enumerated() {
            order.swapAt(i, Int(draws[k] % UInt64(i + 1)))
        }
        return order
    }
}

/// Splits `dataset` into disjoint random subsets of the given sizes (which must add up to
/// its count), as PyTorch's `random_split`. The same generator seed gives the same split.
///
/// <!-- snippet: data-random-split-lengths -->
/// ```swift
/// let parts = try randomSplit(data, lengths: [1000, 797], generator: Generator(seed: 0))
/// ```
public func randomSplit<D: Dataset>(_ dataset: D, lengths: [Int], generator: Generator = .default) throws -> [Subset<D>] {
    // A checked sum: lengths near Int.max are an error, not an overflow trap.
    var total = 0, valid = true
    for length in lengths {
        let (sum, overflow) = total.addingReportingOverflow(length)
        valid = valid && length >= 0 && !overflow
        total = sum
    }
    guard valid, total == dataset.count else {
        throw TorchError(.invalidArgument, "randomSplit: the lengths \(lengths) must be non-negative and add up to the dataset's \(dataset.count) samples")
    }
    let order = generator.permutation(dataset.count)
    var start = 0
    return try lengths.map { length in
        defer { start += length }
        return try Subset(dataset, indices: Array(order[start..<(start + length)]))
    }
}

/// Splits `dataset` into disjoint random subsets holding the given fractions of it (which
/// must add up to 1), as PyTorch's `random_split`: each part gets `floor(fraction * count)`
/// samples and the remainder goes one by one to the parts in order.
///
/// <!-- snippet: data-random-split-fractions -->
/// ```swift
/// let parts = try randomSplit(data, fractions: [0.8, 0.2], generator: Generator(seed: 0))
/// let (train, test) = (parts[0], parts[1])
/// ```
public func randomSplit<D: Dataset>(_ dataset: D, fractions: [Double], generator: Generator = .default) throws -> [Subset<D>] {
    guard !fractions.isEmpty, fractions.allSatisfy({ $0 >= 0 && $0 <= 1 }),
          Swift.abs(fractions.reduce(0, +) - 1) < 1e-9 else {
        throw TorchError(.invalidArgument, "randomSplit: the fractions \(fractions) must each be in [0, 1] and add up to 1")
    }
    var lengths = fractions.map { Int(($0 * Double(dataset.count)).rounded(.down)) }
    let remainder = dataset.count - lengths.reduce(0, +)
    for i in 0..<remainder { lengths[i % lengths.count] += 1 }
    return try randomSplit(dataset, lengths: lengths, generator: generator)
}
