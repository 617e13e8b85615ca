import ArgumentParser
import Foundation
import SwiftTorch

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Times a fixed set of workloads (matrix products, elementwise ops, reductions, softmax, convolution) per backend.",
        discussion: """
            Names and units are fixed: mm-256..mm-2048, mm-64x128x512 ([64, 128] @ [128, 512]) and \
            mm-f64-512 (float64) in GFLOP/s (higher is better); add-16M, \
            mul-16M, exp-16M, sum-16M, softmax-4096x1024 and conv2d-fwd-bwd (batch 64, 1→32 \
            channels, 28x28, 3x3, forward plus input, weight and bias gradients) in ms per \
            call, add-tiny and add-scalar-tiny (x + 2.0) in us per call (lower is better), \
            mlp-step (one SGD-momentum step of the MLP 784-128-64-10, batch 64) in ms. Each \
            figure is the median of several timed runs after a warm-up. A workload predicted to \
            take over 10 s is reported as skipped. digits-mlp-train and digits-cnn-train (the \
            digits examples' 30-epoch training runs) are timed once each, without a warm-up, \
            in ms of training, with the test accuracy; one whose first epoch predicts over 30 s \
            is skipped. When the named backend has no kernel for an operator, the call falls \
            through to the next backend, and the line says which kernel ran. Build with -c \
            release before timing.
            """)

    @Option(name: .long, help: "A CPU backend to run (repeatable), or `default` for the default CPU chain (what runs with SWIFTTORCH_BACKEND unset: each operator from the first backend that serves it best); default: every available CPU backend.")
    var backend: [String] = []

    @Option(name: .long, help: "Only workloads whose name contains this text (or one of several, comma-separated: tiny,mlp-step,train).")
    var filter: String?

    @Flag(name: .long, help: "Print a JSON array of {name, backend, value, unit} (value null when skipped; training workloads add accuracy); notes go to standard error.")
    var json = false

    @Flag(name: .long, help: "Time nothing: count the kernel calls one call of each (non-training) workload dispatches, by operator (sets SWIFTTORCH_TRACE=summary for this process when unset).")
    var countCalls = false

    func run() throws {
        // The dispatcher reads SWIFTTORCH_TRACE once, when the runtime starts: set it first.
        if countCalls, ProcessInfo.processInfo.environment["SWIFTTORCH_TRACE"] == nil {
            setenv("SWIFTTORCH_TRACE", "summary", 1)
        }
        let backends = try backend.isEmpty ? Self.cpuBackends() : backend
        for name in backends where name != WorkloadRunner.defaultChain {
            guard let descriptor = Runtime.registry.backendDescriptor(named: name) else {
                throw ValidationError("unknown backend '\(name)'; registered: \(Runtime.registry.backends.map(\.name).joined(separator: ", "))")
            }
            // Timing a GPU needs a device synchronisation per call, which the workloads lack.
            guard descriptor.deviceKind.isCPU else {
                throw ValidationError("bench times CPU backends only; '\(name)' computes on a GPU")
            }
            _ = try Runtime.resolvePriority(name)  // unavailable: fail before timing, with the reason
        }
        Self.warnIfBusy()
        let parts = filter?.split(separator: ",").map(String.init) ?? []
        let selected = { (name: String) in parts.isEmpty || parts.contains { name.contains($0) } }
        let workloads = BenchmarkWorkload.standard().filter { selected($0.name) }
        let training = TrainingWorkload.standard().filter { selected($0.name) }
        if countCalls { return try Self.countCalls(workloads, backends: backends) }
        var runner = WorkloadRunner()
        var results: [WorkloadResult] = []
        for name in backends {
            for workload in workloads {
                let r = try runner.run(workload, backend: name)
                results.append(r)
                json ? Self.note(r) : Self.printLine(r)
            }
            for workload in training {
                let r = try runner.run(workload, backend: name)
                results.append(r)
                json ? Self.note(r) : Self.printLine(r)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }

    /// Prints, per workload and backend, the kernel calls of one call (after a warm-up call),
    /// from the dispatcher's trace summary: the total, then each operator's count.
    static func countCalls(_ workloads: [BenchmarkWorkload], backends: [String]) throws {
        guard (try Runtime.dispatcher().settings.trace) != .off else {
            throw ValidationError("--count-calls needs the dispatcher's trace: unset SWIFTTORCH_TRACE or set it to summary")
        }
        for backend in backends {
            for workload in workloads {
                try Runtime.withBackend(backend == WorkloadRunner.defaultChain ? "" : backend) {
                    let call = try workload.prepare()
                    try call()
                    TraceSummary.shared.reset()
                    try call()
                }
                let entries = TraceSummary.shared.entries()
                TraceSummary.shared.reset()  // what the exit summary shows: nothing counted here
                let total = entries.reduce(0) { $0 + $1.calls }
                let ops = entries.sorted { ($1.calls, $0.op) < ($0.calls, $1.op) }
                    .map { $0.backend == backend ? "\($0.op) \($0.calls)" : "\($0.op) \($0.calls) (\($0.backend))" }
                print("\(pad(workload.name, 18)) \(pad(backend, 10)) \(total) kernel calls: \(ops.joined(separator: ", "))")
            }
        }
    }

    /// Available CPU backends, best first as the dispatcher orders them, then any others (plugins).
    static func cpuBackends() throws -> [String] {
        let cpu = Runtime.registry.backends.filter { $0.deviceKind.isCPU && $0.availability.isAvailable }.map(\.name)
        return Runtime.preferredCPUOrder.filter(cpu.contains) + cpu.filter { !Runtime.preferredCPUOrder.contains($0) }
    }

    static func printLine(_ r: WorkloadResult) {
        let value = r.value.map { WorkloadRunner.format($0) + " " + r.unit } ?? "skipped"
        let accuracy = r.accuracy.map { String(format: "accuracy %.2f%%", 100 * $0) } ?? ""
        let line = [pad(r.name, 18), pad(r.backend, 10), pad(value, 16), accuracy, r.note.map { "(\($0))" } ?? ""]
            .filter { !$0.isEmpty }.joined(separator: " ")
        print(line.trimmingCharacters(in: .whitespaces))
        fflush(nil)  // nil: every stream; naming `stdout` is not concurrency-safe in Swift 6
    }

    /// In JSON mode standard output holds the array only; notes go to standard error.
    static func note(_ r: WorkloadResult) {
        guard let note = r.note else { return }
        FileHandle.standardError.write(Data("swifttorch bench: \(r.name) on \(r.backend): \(note)\n".utf8))
    }

    /// Other processes on the cores skew every figure (OpenBLAS's threads above all): say so.
    static func warnIfBusy() {
        var load = [Double](repeating: 0, count: 1)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard getloadavg(&load, 1) == 1, load[0] > 0.5 * Double(cores) else { return }
        FileHandle.standardError.write(Data("swifttorch bench: warning: load average \(String(format: "%.2f", load[0])) on \(cores) cores; figures will be noisy\n".utf8))
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
