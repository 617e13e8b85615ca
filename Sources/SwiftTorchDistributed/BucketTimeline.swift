import Foundation
import SwiftTorch

/// Timestamps of every gradient bucket's trip through DDP, for finding where a step's
/// communication time goes (as PyTorch's `TORCH_DISTRIBUTED_DEBUG` logging does for its
/// reducer). Off unless `SWIFTTORCH_DDP_TIMELINE` names a directory; then each rank writes
/// `rank-N.tsv` there, one line per event:
///
///     model  pass  bucket  bytes  event  microseconds
///
/// - `model`: which `DistributedDataParallel` of the process (numbered from 0 as they are made);
/// - `pass`: its synchronised backward passes, from 0; `bucket`: the bucket's index then;
/// - events, in order: `ready` (every gradient of the bucket is in), `filled` (copied into
///   the bucket, scaled by 1 / worldSize), `submitted` (handed to the communication thread),
///   `mpi_begin` and `mpi_end` (around `MPI_Allreduce`, on that thread), `reduced` (the
///   backward thread has the averages);
/// - microseconds of `CLOCK_MONOTONIC`, one clock for every process of a machine, so ranks
///   on one host line up (`Benchmarks/MPI/bucket_timeline.py` does that).
///
/// Recording an event only reads the clock and appends to a buffer; the lines are formatted
/// and written at the end of each backward pass (``write()``) and at exit. Formatting a line
/// costs about 2 µs, which, done on the spot, landed inside the very spans the timeline measures
/// (the averages' trip back to the training thread); the write still makes a step with the
/// timeline on slightly longer.
final class BucketTimeline: @unchecked Sendable {
    static let variable = "SWIFTTORCH_DDP_TIMELINE"

    enum Event: String {
        case ready, filled, submitted, mpiBegin = "mpi_begin", mpiEnd = "mpi_end", reduced
    }

    /// One writer per process; nil when the variable is unset or empty.
    static func shared(rank: Int) throws -> BucketTimeline? {
        try lock.withLock {
            if let opened { return opened }
            guard let directory = ProcessInfo.processInfo.environment[variable], !directory.isEmpty else { return nil }
            let path = (directory as NSString).appendingPathComponent("rank-\(rank).tsv")
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard let file = fopen(path, "w") else {
                throw TorchError(.io, "DistributedDataParallel: \(variable)=\(directory): cannot write \(path): \(String(cString: strerror(errno)))")
            }
            setvbuf(file, nil, _IOFBF, 1 << 16)
            opened = BucketTimeline(file: file)
            return opened
        }
    }

    nonisolated(unsafe) private static var opened: BucketTimeline?
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models = 0

    private let file: UnsafeMutablePointer<FILE>
    /// Events not yet written, guarded by `pendingLock`: the backward and communication
    /// threads both record.
    private var pending: [Entry] = []
    private let pendingLock = NSLock()

    private struct Entry {
        let model, pass, bucket, bytes: Int
        let event: Event
        let micros: Double
    }

    private init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        pending.reserveCapacity(256)
        // Written out at exit too, so the lines of a pass that never ended (a failed
        // collective) and those still in the stream's buffer are not lost.
        atexit { BucketTimeline.lock.withLock { BucketTimeline.opened?.write(); if let f = BucketTimeline.opened?.file { fflush(f) } } }
    }

    /// A number for the next model that records here.
    func newModel() -> Int { BucketTimeline.lock.withLock { defer { BucketTimeline.models += 1 }; return BucketTimeline.models } }

    /// Stamps `event` with the time now; the next ``write()`` writes it.
    func record(_ event: Event, model: Int, pass: Int, bucket: Int, bytes: Int) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let micros = Double(now.tv_sec) * 1e6 + Double(now.tv_nsec) / 1e3
        pendingLock.withLock { pending.append(Entry(model: model, pass: pass, bucket: bucket, bytes: bytes, event: event, micros: micros)) }
    }

    /// Formats the recorded events into the file, in the order they were recorded.
    func write() {
        let entries = pendingLock.withLock {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        for e in entries {
            fputs("\(e.model)\t\(e.pass)\t\(e.bucket)\t\(e.bytes)\t\(e.event.rawValue)\t\(String(format: "%.1f", e.micros))\n", file)
        }
    }
}
