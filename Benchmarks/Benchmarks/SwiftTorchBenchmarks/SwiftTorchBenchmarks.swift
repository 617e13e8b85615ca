import Benchmark
import Foundation
import SwiftTorch

// The workloads of `swifttorch bench` (Sources/SwiftTorch/Benchmarks), as an ordo-one suite
// for regression tracking: `swift package benchmark baseline update` / `... compare`.
// One benchmark per workload and backend; the backend comes from SWIFTTORCH_BENCH_BACKENDS
// (comma-separated; default: blas and openmp, the reference backend being far too slow).

let benchmarks: @Sendable () -> Void = {
    let backends = (ProcessInfo.processInfo.environment["SWIFTTORCH_BENCH_BACKENDS"] ?? "blas,openmp")
        .split(separator: ",").map(String.init)
    for backend in backends {
        for workload in BenchmarkWorkload.standard() {
            // Inputs are built once in `setup` (untimed); each sample times scaledIterations calls.
            Benchmark("\(workload.name) [\(backend)]", configuration: configuration(for: workload)) { benchmark, call in
                do {
                    try Runtime.withBackend(backend) {
                        benchmark.startMeasurement()
                        for _ in benchmark.scaledIterations { try call() }
                        benchmark.stopMeasurement()
                    }
                } catch {
                    benchmark.error("\(workload.name) on \(backend): \(error)")
                }
            } setup: {
                try Runtime.withBackend(backend) { try workload.prepare() }
            }
        }
    }
}

/// Wall-clock and throughput, few samples for the large workloads; malloc counters come
/// with the MallocInterposer trait and catch a kernel that starts allocating per call.
///
/// `scalingFactor: .one` makes each sample one call of the workload, so the `Malloc (total)`
/// row is mallocs per call: for `add-tiny` and `add-scalar-tiny` that is the per-call cost
/// of the eager path (boxing, meta, output storage) that the hot-path work is cutting down.
/// Those two also report the bytes requested per call, and their times in nanoseconds (at a
/// few microseconds a call, whole microseconds would round most of the signal away).
func configuration(for workload: BenchmarkWorkload) -> Benchmark.Configuration {
    let heavy = workload.name.hasPrefix("mm-1024") || workload.name.hasPrefix("mm-2048")
    let tiny = workload.unit == .microseconds
    return .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal] + (tiny ? [.mallocBytesCount] : []),
        timeUnits: tiny ? .nanoseconds : .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(heavy ? 5 : 2),
        maxIterations: tiny ? 100_000 : 50,
        thresholds: [.wallClock: .relaxed])
}
