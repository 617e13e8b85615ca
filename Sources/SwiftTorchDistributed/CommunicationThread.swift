import Foundation

/// The one thread of a process that calls MPI. It initialises MPI (so MPI_THREAD_FUNNELED
/// is enough) and then runs collectives in the order they were submitted, which is the
/// order every rank must call them in. Submitting returns at once with a ``Collective``
/// to wait for, so the caller can go on working (backward, while gradients travel) and a
/// wait can give up after a deadline, which a blocking MPI call cannot.
///
/// The thread lives as long as the process: after a timeout it may be stuck inside MPI
/// for good, and nothing can end it but the process's exit.
final class CommunicationThread: @unchecked Sendable {
    private struct Job {
        let run: @Sendable () -> Int32
        let collective: Collective
    }
    /// Guards `jobs`; the thread sleeps on it while there is none.
    private let wakeUp = NSCondition()
    private var jobs: [Job] = []

    init() {
        let thread = Thread { [self] in loop() }
        thread.name = "SwiftTorch MPI"
        thread.start()
    }

    /// Queues `run` (an MPI call returning its error code); `what` names it in errors.
    func submit(_ what: String, _ run: @escaping @Sendable () -> Int32) -> Collective {
        let collective = Collective(what)
        wakeUp.lock()
        jobs.append(Job(run: run, collective: collective))
        wakeUp.signal()
        wakeUp.unlock()
        return collective
    }

    private func loop() {
        while true {
            wakeUp.lock()
            while jobs.isEmpty { wakeUp.wait() }
            let job = jobs.removeFirst()
            wakeUp.unlock()
            job.collective.finish(job.run())
        }
    }
}

/// A collective submitted to the communication thread: its MPI error code once it is done.
final class Collective: @unchecked Sendable {
    /// What it is, for messages: `allReduce(sum) of float32[3, 4]`.
    let what: String
    /// Guards `code`, and is signalled when it is set.
    private let done = NSCondition()
    private var code: Int32?

    init(_ what: String) { self.what = what }

    /// A collective that needs no communication (a world of one): done, successfully.
    static func finished(_ what: String) -> Collective {
        let c = Collective(what)
        c.code = 0
        return c
    }

    func finish(_ result: Int32) {
        done.lock()
        code = result
        done.broadcast()
        done.unlock()
    }

    /// The MPI error code, or nil if it is still running after `timeout` (nil: wait forever).
    func wait(timeout: Duration?) -> Int32? {
        let deadline = timeout.map { Date(timeIntervalSinceNow: seconds($0)) }
        done.lock()
        defer { done.unlock() }
        while code == nil {
            if let deadline {
                if !done.wait(until: deadline) { return code }
            } else {
                done.wait()
            }
        }
        return code
    }
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
