// Training-speed benchmark, the SwiftTorch side of Benchmarks/pytorch_training.py:
// one training step (zeroGrad, forward, loss, backward, step) of the MNIST-sized MLP
// 784-128-64-10 on a random batch of 64, in ms per step (best of 5 runs of 200 steps).
// The step is SwiftTorch's `MLPStep`, the `mlp-step` workload of `swifttorch bench`.
//
//   swift run -c release training-bench            # prints a JSON line per backend
import ExampleSupport
import Foundation
import SwiftTorch

runExample("training-bench") {
    let backends = ProcessInfo.processInfo.environment["SWIFTTORCH_BACKEND"].map { [$0] } ?? ["openmp", "blas", "reference"]
    for backend in backends {
        try Runtime.withBackend(backend) {
            let mlp = try MLPStep()
            let steps = backend == "reference" ? 20 : 200
            for _ in 0..<(steps / 4) { try mlp.step() }
            var best = Double.infinity
            for _ in 0..<5 {
                let seconds = try WorkloadRunner.time { for _ in 0..<steps { try mlp.step() } }
                best = min(best, seconds / Double(steps))
            }
            print(#"{"name": "mlp-step", "backend": "\#(backend)", "value": \#(best * 1e3), "unit": "ms"}"#)
        }
    }
}
