import Foundation
import Synchronization
import SwiftProtobuf
import SwiftTorchCore

/// One TensorBoard event file: `events.out.tfevents.<time>.<host>.<pid>.<n>` in a log
/// folder, named as PyTorch names it. Its first event says the file version; later events
/// are queued and written `maxQueue` at a time, on ``flush()`` and on ``close()``.
final class EventFileWriter {
    let url: URL
    private let handle: FileHandle
    private let maxQueue: Int
    private var queue: [UInt8] = []
    private var queued = 0
    private(set) var isClosed = false

    /// Files made by this process so far: the last part of a file's name, so two writers
    /// started in the same second write different files.
    private static let counter = Atomic<Int>(0)

    init(folder: URL, maxQueue: Int, suffix: String = "") throws {
        self.maxQueue = Swift.max(1, maxQueue)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw TorchError(.io, "SummaryWriter: cannot create the log folder \(folder.path) (\(error.localizedDescription))")
        }
        let now = Date().timeIntervalSince1970
        let number = Self.counter.add(1, ordering: .relaxed).newValue - 1
        // PyTorch's "%010d" of the time in seconds.
        let seconds = String(Int(now))
        let time = String(repeating: "0", count: Swift.max(0, 10 - seconds.count)) + seconds
        let name = "events.out.tfevents.\(time).\(ProcessInfo.processInfo.hostName).\(ProcessInfo.processInfo.processIdentifier).\(number)\(suffix)"
        url = folder.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let handle = try? FileHandle(forWritingTo: url) else {
            throw TorchError(.io, "SummaryWriter: cannot create the event file \(url.path)")
        }
        self.handle = handle
        var first = Tensorboard_Event()
        first.wallTime = now
        first.fileVersion = "brain.Event:2"
        try add(first)
        try flush()
    }

    /// Queues `event`, writing the queue once it holds `maxQueue` events.
    func add(_ event: Tensorboard_Event) throws {
        guard !isClosed else { throw TorchError(.invalidArgument, "SummaryWriter: \(url.path) is closed; make a new writer to log more") }
        let data: [UInt8]
        do { data = try event.serializedBytes() } catch {
            throw TorchError(.io, "SummaryWriter: an event could not be encoded (\(error))")
        }
        queue += EventRecords.frame(data)
        queued += 1
        if queued >= maxQueue { try flush() }
    }

    /// Writes every queued event to the file.
    func flush() throws {
        guard !queue.isEmpty else { return }
        do {
            try handle.write(contentsOf: queue)
        } catch {
            throw TorchError(.io, "SummaryWriter: writing \(url.path) failed (\(error.localizedDescription))")
        }
        queue = []
        queued = 0
    }

    /// Writes what is queued and closes the file; later events throw.
    func close() throws {
        guard !isClosed else { return }
        defer {
            isClosed = true
            try? handle.close()
        }
        try flush()
    }

    deinit { try? close() }
}
