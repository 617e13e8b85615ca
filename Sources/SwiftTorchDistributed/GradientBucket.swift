import SwiftTorch

/// Gradients that travel together in one all-reduce: parameters of one dtype whose
/// gradients together fill about `bucketCapMB`, in the order backward produces them.
struct GradientBucket {
    /// Indices into the reducer's parameter list.
    let members: [Int]
    /// Where each member's elements start in the bucket's flat buffer, in elements.
    let offsets: [Int]
    let dtype: DType
    /// Elements in all.
    let count: Int
    /// Members whose gradient is ready in the current backward pass.
    var ready = 0
    /// The flat buffer now travelling, and its all-reduce; nil until the bucket starts.
    /// `isGradient`: the buffer is the lone member's own gradient, reduced in its memory.
    var inFlight: (buffer: Tensor, collective: Collective, isGradient: Bool)?
    /// The flat buffer, allocated at the bucket's first all-reduce and reused by every later
    /// one; replaced only while a `.grad` from an earlier pass still views it (see
    /// `GradientReducer.flatBuffer(_:)`).
    var storage: Storage?

    var isFull: Bool { ready == members.count }

    /// Cuts `order` (parameter indices) into buckets of at most `capBytes` each (at least one
    /// parameter each), one open bucket per dtype, as PyTorch's `compute_bucket_assignment_by_size`.
    static func assign(_ order: [Int], parameters: [Tensor], capBytes: Int) -> [GradientBucket] {
        var buckets: [GradientBucket] = []
        var open: [DType: [Int]] = [:]
        var openBytes: [DType: Int] = [:]
        func close(_ dtype: DType) {
            guard let members = open.removeValue(forKey: dtype) else { return }
            openBytes[dtype] = 0
            buckets.append(GradientBucket(members: members, parameters: parameters))
        }
        for index in order {
            let p = parameters[index]
            let bytes = p.count * p.dtype.itemSize
            if let current = openBytes[p.dtype], current > 0, current + bytes > capBytes { close(p.dtype) }
            open[p.dtype, default: []].append(index)
            openBytes[p.dtype, default: 0] += bytes
        }
        // Left open in the order their first member came.
        for dtype in open.keys.sorted(by: { open[$0]![0].orderIn(order) < open[$1]![0].orderIn(order) }) { close(dtype) }
        return buckets
    }

    private init(members: [Int], parameters: [Tensor]) {
        self.members = members
        var offsets: [Int] = []
        var total = 0
        for index in members {
            offsets.append(total)
            total += parameters[index].count
        }
        self.offsets = offsets
        self.count = total
        self.dtype = parameters[members[0]].dtype
    }
}

private extension Int {
    func orderIn(_ order: [Int]) -> Int { order.firstIndex(of: self)! }
}
