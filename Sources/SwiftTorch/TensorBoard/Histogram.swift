import SwiftTorchCore

/// How ``SummaryWriter/addHistogram(_:_:globalStep:bins:walltime:)`` buckets values.
public enum HistogramBins: Sendable, Equatable {
    /// TensorFlow's default buckets (PyTorch's `bins="tensorflow"`): boundaries at ±1e-12
    /// times powers of 1.1 up to 1e20, and 0; values beyond ±1e20 are not counted.
    case tensorflow
    /// `count` equal-width buckets from the smallest value to the largest (NumPy's `bins=count`).
    case count(Int)
}

/// The histogram of `values` as TensorBoard stores it, built as PyTorch's `make_histogram`
/// does: NumPy's bucket rule ([left, right), the last bucket closed), then the empty buckets
/// at both ends dropped but one on the left, since TensorBoard keeps only right edges.
func makeHistogram(_ values: [Double], bins: HistogramBins, tag: String) throws -> Tensorboard_HistogramProto {
    let op = "SummaryWriter.addHistogram('\(tag)')"
    guard !values.isEmpty else { throw TorchError(.invalidArgument, "\(op): the values are empty; a histogram needs at least one") }
    guard values.allSatisfy(\.isFinite) else { throw TorchError(.invalidArgument, "\(op): the values hold NaN or infinity") }
    let low = values.min()!, high = values.max()!
    let edges: [Double]
    switch bins {
    case .tensorflow: edges = tensorflowBucketEdges
    case .count(let n):
        guard n >= 1 else { throw TorchError(.invalidArgument, "\(op): bins must be at least 1, got \(n)") }
        // NumPy widens an empty range by a half on each side.
        let (a, b) = low == high ? (low - 0.5, high + 0.5) : (low, high)
        edges = (0...n).map { a + (b - a) * Double($0) / Double(n) }
    }
    var counts = [Double](repeating: 0, count: edges.count - 1)
    for v in values where v >= edges[0] && v <= edges[edges.count - 1] {
        // The bucket whose left edge is the last one <= v; the top edge belongs to the last bucket.
        var (lo, hi) = (0, edges.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        counts[Swift.min(lo - 1, counts.count - 1)] += 1
    }
    guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else {
        throw TorchError(.invalidArgument, "\(op): every value lies beyond the buckets (±1e20)")
    }
    var histogram = Tensorboard_HistogramProto()
    histogram.min = low
    histogram.max = high
    histogram.num = Double(values.count)
    histogram.sum = values.reduce(0, +)
    histogram.sumSquares = values.reduce(0) { $0 + $1 * $1 }
    histogram.bucket = first > 0 ? Array(counts[(first - 1)...last]) : [0] + counts[...last]
    histogram.bucketLimit = Array(edges[first...(last + 1)])
    return histogram
}

/// TensorFlow's default bucket edges: -1e20 ... -1e-12, 0, 1e-12 ... 1e20, by factors of 1.1.
let tensorflowBucketEdges: [Double] = {
    var positive: [Double] = []
    var v = 1e-12
    while v < 1e20 {
        positive.append(v)
        v *= 1.1
    }
    return positive.reversed().map { -$0 } + [0] + positive
}()
