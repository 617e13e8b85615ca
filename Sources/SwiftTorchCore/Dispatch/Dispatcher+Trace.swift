#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// SWIFTTORCH_TRACE: what the dispatcher reports about each kernel call. The dispatcher
// reaches this file only when the mode is not `.off`, so tracing costs an untraced call
// one comparison.

extension Dispatcher {
    func trace(_ op: OperatorHandle, _ arguments: Arguments, backend: String, elapsed: Duration) {
        TraceSummary.shared.record(op.name, backend: backend, elapsed: elapsed)
        switch settings.trace {
        case .off: return
        case .summary: TraceSummary.reportAtExit()
        case .calls:
            let inputs = describe(tensors: arguments.tensors)
            let micros = TraceSummary.microseconds(elapsed)
            writeToStandardError("[swifttorch] \(op.name) backend=\(backend) inputs=(\(inputs)) \(formatMicros(micros)) us\n")
        }
    }

    private func formatMicros(_ v: Double) -> String {
        let scaled = (v * 10).rounded() / 10
        return String(scaled)
    }
}

/// Straight to file descriptor 2: the C `stderr` global is not concurrency-safe in Swift 6.
func writeToStandardError(_ text: String) {
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
}

/// Per operator and backend, the kernel calls the dispatcher made while `SWIFTTORCH_TRACE`
/// was `1` or `summary`: how many, and the time spent in the kernels (meta functions,
/// allocation and autograd not included). Safe to use from several threads.
///
/// With `SWIFTTORCH_TRACE=summary` the table goes to standard error when the process exits.
/// Tools read it in between with ``entries()`` and ``reset()`` (`swifttorch bench
/// --count-calls` counts one call of each workload that way).
public final class TraceSummary: Sendable {
    /// One operator on one backend.
    public struct Entry: Sendable, Equatable {
        /// The operator's name, e.g. `add`.
        public let op: String
        /// The backend whose kernel ran.
        public let backend: String
        /// Kernel calls counted.
        public var calls: Int
        /// Time inside the kernel, summed over the calls.
        public var total: Duration
        /// Time inside the kernel per call.
        public var mean: Duration { calls == 0 ? .zero : total / calls }

        /// An entry with these counts (for tests and tools that format their own).
        public init(op: String, backend: String, calls: Int, total: Duration) {
            self.op = op
            self.backend = backend
            self.calls = calls
            self.total = total
        }
    }

    private struct Key: Hashable {
        let op: String
        let backend: String
    }

    /// What the dispatcher records into.
    public static let shared = TraceSummary()

    private let table = Mutex<[Key: Entry]>([:])

    /// An empty aggregator (the dispatcher uses ``shared``).
    public init() {}

    /// Counts one kernel call of `op` on `backend` that took `elapsed`.
    public func record(_ op: String, backend: String, elapsed: Duration) {
        table.withLock { t in
            let key = Key(op: op, backend: backend)
            if t[key] == nil {
                t[key] = Entry(op: op, backend: backend, calls: 1, total: elapsed)
            } else {
                t[key]!.calls += 1
                t[key]!.total += elapsed
            }
        }
    }

    /// The entries recorded since the start or the last ``reset()``, by total time (most
    /// first), then by operator and backend name.
    public func entries() -> [Entry] {
        table.withLock { Array($0.values) }.sorted {
            ($0.total, $1.op, $1.backend) > ($1.total, $0.op, $0.backend)
        }
    }

    /// Forgets every entry.
    public func reset() {
        table.withLock { $0.removeAll() }
    }

    /// A table of `entries`, one line per operator and backend under a header with the
    /// totals; empty when there is nothing to report.
    public static func format(_ entries: [Entry]) -> String {
        guard !entries.isEmpty else { return "" }
        let calls = entries.reduce(0) { $0 + $1.calls }
        let total = entries.reduce(Duration.zero) { $0 + $1.total }
        let width = max(24, entries.map(\.op.count).max()! + 2)
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? fill + s : s + fill
        }
        func number(_ v: Double, _ decimals: Int) -> String {
            let scale = Double([1, 10, 100, 1000][decimals])
            let rounded = (v * scale).rounded() / scale
            var text = String(rounded)
            let fraction = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
            text += String(repeating: "0", count: max(0, decimals - fraction))
            return text
        }
        var lines = ["[swifttorch] trace summary: \(calls) kernel calls, \(number(microseconds(total) / 1e3, 3)) ms in kernels",
                     pad("operator", width) + pad("backend", 10) + pad("calls", 10, left: true)
                         + pad("total ms", 12, left: true) + pad("mean us", 12, left: true)]
        for e in entries {
            lines.append(pad(e.op, width) + pad(e.backend, 10) + pad(String(e.calls), 10, left: true)
                         + pad(number(microseconds(e.total) / 1e3, 3), 12, left: true)
                         + pad(number(microseconds(e.mean), 1), 12, left: true))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func microseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }

    /// Registers, once, an `atexit` handler that prints ``shared``'s table. A C function
    /// pointer cannot capture anything, so the handler reads the `static let` itself; the
    /// one-time registration is a lazily initialised `static let` (thread-safe, and
    /// `Void` is `Sendable`, as Swift 6 requires of global state).
    static func reportAtExit() { _ = exitReport }

    private static let exitReport: Void = {
        atexit {
            writeToStandardError(TraceSummary.format(TraceSummary.shared.entries()))
        }
    }()
}
