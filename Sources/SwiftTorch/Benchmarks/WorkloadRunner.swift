import Foundation
import SwiftTorchCore

/// One line of `swifttorch bench`: a workload's figure on one backend.
public struct WorkloadResult: Sendable, Codable, Equatable {
    /// The workload's fixed name, e.g. `mm-1024`.
    public let name: String
    /// The backend asked for (see ``note`` for the one whose kernel ran).
    public let backend: String
    /// `nil` when the workload was skipped (see ``note``).
    public let value: Double?
    /// `GFLOP/s`, `ms` or `us` (``BenchmarkUnit``'s raw values).
    public let unit: String
    /// The test accuracy (0...1) a training workload reached; nil for the others.
    public var accuracy: Double?
    /// Why it was skipped, or which backend's kernel really ran when the named backend has
    /// none and the call fell through. Not part of the JSON output.
    public var note: String?

    enum CodingKeys: String, CodingKey { case name, backend, value, unit, accuracy }

    /// A result; `value` is nil for a skipped workload.
    public init(name: String, backend: String, value: Double?, unit: String, accuracy: Double? = nil, note: String? = nil) {
        self.name = name
        self.backend = backend
        self.value = value
        self.unit = unit
        self.accuracy = accuracy
        self.note = note
    }

    /// Encodes `value` as JSON `null` when skipped, rather than dropping the key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(backend, forKey: .backend)
        try c.encode(value, forKey: .value)
        try c.encode(unit, forKey: .unit)
        try c.encodeIfPresent(accuracy, forKey: .accuracy)
    }
}

/// Times workloads with `ContinuousClock`: one warm-up call, then several runs of enough
/// calls to last about ``targetRunSeconds`` each; the figure is the median run's time per call.
///
/// A workload whose predicted time is over ``maxSecondsPerWorkload`` is skipped instead of
/// run. The prediction for GFLOP/s workloads comes from the rate the same backend reached on
/// the previous one (the reference backend's mm-2048 would take minutes); other workloads
/// are judged by their warm-up call.
public struct WorkloadRunner {
    /// How long one timed run lasts: the number of calls per run follows from the warm-up.
    public var targetRunSeconds = 0.2
    /// Timed runs per workload at most; the figure is their median.
    public var maxRuns = 7
    /// Time budget for the timed runs of one workload (after the warm-up call).
    public var measureSeconds = 2.0
    /// Longest a workload may take (warm-up and one run); beyond it, it is skipped.
    public var maxSecondsPerWorkload = 10.0
    /// Longest a training workload may take; its first epoch predicts the whole run.
    public var maxTrainingSeconds = 30.0
    /// GFLOP/s measured per backend, for predicting the next matrix product's time.
    private var lastRate: [String: Double] = [:]

    /// A runner with the default measuring times.
    public init() {}

    /// The backend name that stands for the default CPU chain (nothing named).
    public static let defaultChain = "default"

    /// Runs `body` on `backend`: a named list, or the default chain.
    private static func on<R>(_ backend: String, _ body: () throws -> R) throws -> R {
        try Runtime.withBackend(backend == defaultChain ? "" : backend, body)
    }

    /// Runs `workload` on `backend` (a registered backend name).
    public mutating func run(_ workload: BenchmarkWorkload, backend: String) throws -> WorkloadResult {
        func result(_ value: Double?, _ note: String?) -> WorkloadResult {
            WorkloadResult(name: workload.name, backend: backend, value: value, unit: workload.unit.rawValue, note: note)
        }
        // A call takes warm-up + at least one timed run: two calls must fit the budget.
        if let flops = workload.flopsPerCall, let rate = lastRate[backend] {
            let predicted = flops / (rate * 1e9)
            if 2 * predicted > maxSecondsPerWorkload {
                return result(nil, "skipped: predicted \(Self.format(predicted)) s per call at \(Self.format(rate)) GFLOP/s")
            }
        }
        let served = try Self.servingBackends(workload, backend: backend)
        let note = served.isEmpty || served == [backend] ? nil : "kernel: " + served.joined(separator: ",")
        let seconds = try Self.on(backend) { () throws -> Double? in
            let call = try workload.prepare()
            let warmUp = try Self.time(call)
            if 2 * warmUp > maxSecondsPerWorkload { return nil }
            let iterations = max(1, Int(targetRunSeconds / max(warmUp, 1e-9)))
            let runs = min(maxRuns, max(1, Int(measureSeconds / (Double(iterations) * max(warmUp, 1e-9)))))
            var perCall: [Double] = []
            for _ in 0..<runs {
                perCall.append(try Self.time { for _ in 0..<iterations { try call() } } / Double(iterations))
            }
            return perCall.sorted()[perCall.count / 2]
        }
        guard let seconds else {
            return result(nil, "skipped: one call takes over \(Self.format(maxSecondsPerWorkload / 2)) s")
        }
        if let flops = workload.flopsPerCall { lastRate[backend] = flops / seconds / 1e9 }
        return result(workload.value(secondsPerCall: seconds), note)
    }

    /// Runs a training workload once on `backend` (see ``TrainingWorkload``), in ms with its
    /// test accuracy, or skipped when its first epoch predicts over ``maxTrainingSeconds``.
    public func run(_ workload: TrainingWorkload, backend: String) throws -> WorkloadResult {
        let outcome = try Self.on(backend) { try workload.run(maxSeconds: maxTrainingSeconds) }
        switch outcome {
        case let .finished(seconds, accuracy):
            return WorkloadResult(name: workload.name, backend: backend, value: seconds * 1e3,
                                  unit: BenchmarkUnit.milliseconds.rawValue, accuracy: accuracy)
        case let .stopped(predicted):
            return WorkloadResult(name: workload.name, backend: backend, value: nil, unit: BenchmarkUnit.milliseconds.rawValue,
                                  note: "skipped: the first epoch predicts \(Self.format(predicted)) s for all \(workload.recipe.epochs)")
        }
    }

    /// Seconds `body` takes.
    public static func time(_ body: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return seconds(clock.now - start)
    }

    /// `d` in seconds.
    public static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The backend whose kernel serves each of the workload's operators when `backend` is
    /// asked for: itself, or the next one in the default CPU chain (the dispatcher's rule).
    public static func servingBackends(_ workload: BenchmarkWorkload, backend: String) throws -> [String] {
        if backend == defaultChain { return [] }  // each operator from its best backend: nothing to note
        let chain = [backend] + (try Runtime.dispatcher().defaultCPUChain.filter { $0 != backend })
        var served: [String] = []
        for op in workload.operators {
            guard let handle = Runtime.registry.operator(named: op) else { continue }
            let name = handle.definition.composite != nil ? "composite"
                : chain.first { handle.kernel(backend: $0, dtype: .float32) != nil } ?? "none"
            if !served.contains(name) { served.append(name) }
        }
        return served
    }

    /// Four significant figures, for people (JSON carries the full value).
    public static func format(_ v: Double) -> String { String(format: "%.4g", v) }
}
