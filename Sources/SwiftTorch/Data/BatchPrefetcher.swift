import Foundation

/// Worker threads that make one pass's batches ahead of the loop that consumes them, as
/// PyTorch's `num_workers` (threads here, not processes: tensors are shared, not copied).
///
/// Workers claim batch numbers in increasing order and the loop takes them in the same order,
/// so which worker finishes first never changes what the loop sees. A worker claims a batch
/// only while it is fewer than `aheadLimit` batches ahead of the loop, and none after a
/// batch that failed: the loop stops there.
///
/// `@unchecked Sendable`: every mutable field is read and written under `condition`'s lock;
/// `make` is called from several threads at once, which ``Dataset`` requires its
/// conformers to allow (they only read).
final class BatchPrefetcher<Batch>: @unchecked Sendable {
    private let condition = NSCondition()
    private let make: (Int) throws -> Batch
    private let batchCount: Int
    private let aheadLimit: Int
    /// Made batches (or their errors) that the loop has not taken yet, by batch number.
    private var ready: [Int: Result<Batch, any Error>] = [:]
    private var nextToClaim = 0
    /// Batches the loop has taken: `0 ..< taken`.
    private var taken = 0
    /// The lowest batch that failed: nothing after it is claimed.
    private var firstFailure = Int.max
    private var stopping = false
    private var runningWorkers: Int

    /// Starts `workers` threads making batches `0 ..< batchCount` with `make`.
    init(workers: Int, batchCount: Int, aheadLimit: Int, make: @escaping (Int) throws -> Batch) {
        self.make = make
        self.batchCount = batchCount
        self.aheadLimit = Swift.max(aheadLimit, 1)
        runningWorkers = workers
        for index in 0..<workers {
            let thread = Thread { [self] in work() }
            thread.name = "SwiftTorch DataLoader worker \(index)"
            thread.start()
        }
    }

    /// Batch `k`, waiting for a worker to finish it. The loop takes batches in order.
    func take(_ k: Int) -> Result<Batch, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = ready.removeValue(forKey: k) {
                taken = k + 1
                condition.broadcast()  // a worker waiting for room may claim another
                return result
            }
            condition.wait()
        }
    }

    /// Tells the workers to stop and waits until they have: a worker in the middle of a batch
    /// finishes it first. Made batches not taken are dropped.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while runningWorkers > 0 { condition.wait() }
        ready.removeAll()
        condition.unlock()
    }

    /// A worker's loop: claim the next batch when there is room, make it outside the lock,
    /// store it; leave when stopping or when no batch is left to claim.
    private func work() {
        condition.lock()
        while true {
            let end = Swift.min(batchCount, firstFailure)
            if stopping || nextToClaim >= end { break }
            if nextToClaim >= taken + aheadLimit {
                condition.wait()
                continue
            }
            let k = nextToClaim
            nextToClaim += 1
            condition.unlock()
            let result = Result { try make(k) }
            condition.lock()
            if case .failure = result { firstFailure = Swift.min(firstFailure, k) }
            if !stopping { ready[k] = result }
            condition.broadcast()
        }
        runningWorkers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The loop's hold on a prefetcher: when the last copy of the pass's iterator lets go of
    /// it (the pass ended, failed, or the loop left early), the workers are stopped and
    /// waited for, so none outlives its pass or waits forever for room.
    final class Owner {
        let prefetcher: BatchPrefetcher

        init(_ prefetcher: BatchPrefetcher) {
            self.prefetcher = prefetcher
        }

        deinit { prefetcher.stop() }
    }
}
