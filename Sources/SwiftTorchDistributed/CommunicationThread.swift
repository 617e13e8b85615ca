import Foundation
import Synchronization

/// The one thread of a process that calls MPI. It initialises MPI (so MPI_THREAD_FUNNELED
/// is enough) and then runs collectives in the order they were submitted, which is the
/// order every rank must call them in. Submitting returns at once with a ``Collective``
/// to wait for, so the caller can go on working (backward, while gradients travel) and a
/// wait can give up after a deadline, which a blocking MPI call cannot.
final class CommunicationThread: Sendable {
    private struct Job: Sendable {
        let run: @Sendable () -> Int32
        let collective: Collective
    }
    /// Jobs not yet started; the thread sleeps on the condition while it is empty.
    private let queue = Mutex<[Job]>([])
    private let wakeUp = NSCondition()

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "SwiftTorch MPI"
        thread.start()
    }

    /// Queues `run` (an MPI call returning its error code); `what` names it in errors.
    func submit(_ what: String, _ run: @escaping @Sendable () -> Int32) -> Collective {
        let collective = Collective(what)
        wakeUp.lock()
        queue.withLock { $0.append(Job(run: run, collective: collective)) }
        wakeUp.signal()
        wakeUp.unlock()
        return collective
    }

    private func loop() {
        while true {
            wakeUp.lock()
            var job = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            while job == nil {
                wakeUp.wait()
                job = queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            }
            wakeUp.unlock()
            job!.collective.finish(job!.run())
        }
    }
}

/// A collective submitted to the communication thread: its MPI error code once it is done.
final class Collective: Sendable {
    /// What it is, for messages: `allReduce(sum) of float32[3, 4]`.
    let what: String
    private let done = NSCondition()
    private let code = Mutex<Int32?>(nil)

    init(_ what: String) { self.what = what }

    /// A collective that needs no communication (a world of one): done, successfully.
    static func finished(_ what: String) -> Collective {
        let c = Collective(what)
        c.finish(0)
        return c
    }

    func finish(_ result: Int32) {
        done.lock()
        code.withLock { $0 = result }
        done.broadcast()
        done.unlock()
    }

    /// The MPI error code, or nil if it is still running after `timeout` (nil: wait forever).
    func wait(timeout: Duration?) -> Int32? {
        let deadline = timeout.map { Date(timeIntervalSinceNow: Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18) }
        done.lock()
        defer { done.unlock() }
        while true {
            if let result = code.withLock({ $0 }) { return result }
            if let deadline {
                if !done.wait(until: deadline), code.withLock({ $0 }) == nil { return nil }
            } else {
                done.wait()
            }
        }
    }
}
