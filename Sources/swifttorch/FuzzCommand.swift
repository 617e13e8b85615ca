import ArgumentParser
import Foundation
import SwiftTorch
import Synchronization

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Calls every registered operator with schema-drawn hostile arguments; each call must succeed or throw a TorchError.",
        discussion: """
            Call I of seed S is the same on every run and machine: `--seed S --index I` replays \
            it alone. A call that ends the process cannot be reported afterwards, so `--verbose` \
            prints each call (operator, arguments, seed, index) before it runs: the last line \
            printed is the culprit. A call still running after --timeout seconds is reported \
            as a hang and ends the run with status 3. Exit status 1: some call threw another \
            error type or returned an unsound tensor (listed with its replay command).
            """)

    @Option(name: .long, help: "The first seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "How many seeds to run, from --seed on.")
    var seeds: Int = 1

    @Option(name: .long, help: "Calls per seed and backend.")
    var count: Int = 1500

    @Option(name: .long, help: "Run only this call index of --seed (and print its outcome).")
    var index: Int?

    @Option(name: .long, help: "A backend to fuzz (repeatable); default: every available CPU backend.")
    var backend: [String] = []

    @Option(name: .long, help: "Only this operator (repeatable); default: every registered operator.")
    var op: [String] = []

    @Option(name: .long, help: "Leave this operator out (repeatable): to get past a known crash while its fix is under way.")
    var skip: [String] = []

    @Option(name: .long, help: "Seconds one call may run before it is reported as a hang.")
    var timeout: Double = 30

    @Flag(name: .long, help: "Print each call before running it, and its outcome after.")
    var verbose = false

    func validate() throws {
        guard count >= 0, seeds >= 1, timeout > 0 else { throw ValidationError("--count must be >= 0, --seeds >= 1, --timeout > 0") }
        if let index, index < 0 { throw ValidationError("--index must be >= 0") }
    }

    func run() throws {
        let backends = try backend.isEmpty ? BenchCommand.cpuBackends() : backend
        let watchdog = FuzzWatchdog(limit: timeout)
        var total: FuzzReport?
        for name in backends {
            for s in seed..<seed + UInt64(seeds) {
                let fuzzer = try OperatorFuzzer(seed: s, backend: name, only: op.isEmpty ? nil : op, skipping: skip)
                let indices = index.map { $0..<$0 + 1 } ?? 0..<count
                let report = fuzzer.run(indices, planning: { i in
                    watchdog.started("seed \(s) index \(i) \(name): making the arguments", replay: "swifttorch fuzz --seed \(s) --index \(i) --backend \(name)")
                }, before: { call in
                    watchdog.started("seed \(call.seed) index \(call.index) \(call.backend): \(call.summary)", replay: call.replay)
                    if verbose || index != nil { FuzzCommand.emit("call seed \(call.seed) index \(call.index) \(call.backend): \(call.summary)") }
                }, after: { call, outcome in
                    watchdog.finished()
                    if verbose || index != nil { FuzzCommand.emit("  -> \(FuzzCommand.describe(outcome))") }
                })
                FuzzCommand.emit("seed \(s): " + report.render())
                if total == nil { total = report } else { total?.merge(report) }
            }
        }
        guard let total else { return }
        if backends.count > 1 || seeds > 1 {
            FuzzCommand.emit("total: \(total.calls) calls, \(total.succeeded) succeeded, \(total.threw) threw a TorchError, \(total.failures.count) failed")
        }
        if !total.failures.isEmpty { throw ExitCode(1) }
    }

    static func describe(_ outcome: FuzzOutcome) -> String {
        switch outcome {
        case .succeeded: "succeeded"
        case .threw(let error): "threw \(error.kind): \(error.message)"
        case .failed(let problem): "FAILED: \(problem)"
        }
    }

    /// Writes straight to the file descriptor, unbuffered: the line must be out before a
    /// crash can swallow it.
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// Ends the process when one call runs longer than its limit, naming the call: a hang is
/// a finding, and without this it would only show as a stuck CI job.
final class FuzzWatchdog: Sendable {
    private struct InFlight { var description: String; var started: ContinuousClock.Instant }
    private let current = Mutex<InFlight?>(nil)
    private let limit: Duration

    init(limit seconds: Double) {
        limit = .milliseconds(Int64(seconds * 1000))
        Thread.detachNewThread { [self] in watch() }
    }

    /// Starts the clock on `what`.
    func started(_ what: String, replay: String) {
        current.withLock { $0 = InFlight(description: "\(what)\n    replay: \(replay)", started: .now) }
    }

    func finished() { current.withLock { $0 = nil } }

    private func watch() {
        while true {
            Thread.sleep(forTimeInterval: 0.5)
            let overdue = current.withLock { call in call.flatMap { ContinuousClock.now - $0.started > limit ? $0.description : nil } }
            if let overdue {
                FileHandle.standardError.write(Data("HANG: a call ran longer than \(limit): \(overdue)\n".utf8))
                exit(3)
            }
        }
    }
}
