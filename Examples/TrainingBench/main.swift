// Training-speed benchmark, the SwiftTorch side of Benchmarks/pytorch_training.py:
// one training step (zeroGrad, forward, loss, backward, step) of the MNIST-sized MLP
// 784-128-64-10 on a random batch of 64, in ms per step (best of 5 runs of 200 steps).
//
//   swift run -c release training-bench            # prints a JSON line per backend
import ExampleSupport
import Foundation
import SwiftTorch

runExample("training-bench") {
    let backends = ProcessInfo.processInfo.environment["SWIFTTORCH_BACKEND"].map { [$0] } ?? ["openmp", "blas", "reference"]
    for backend in backends {
        try Runtime.withBackend(backend) {
            manualSeed(0)
            let model = try Sequential {
                try Linear(784, 128)
                ReLU()
                try Linear(128, 64)
                ReLU()
                try Linear(64, 10)
            }
            let optimizer = try SGD(model.parameters(), lr: 0.01, momentum: 0.9)
            let lossFunction = CrossEntropyLoss()
            let x = try Tensor.randn([64, 784])
            let y = try Tensor.randint(high: 10, [64])
            func step() throws {
                optimizer.zeroGrad()
                try lossFunction(model(x), y).backward()
                try optimizer.step()
            }
            let steps = backend == "reference" ? 20 : 200
            for _ in 0..<(steps / 4) { try step() }
            var best = Double.infinity
            for _ in 0..<5 {
                let start = ContinuousClock.now
                for _ in 0..<steps { try step() }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                best = min(best, seconds / Double(steps))
            }
            print(#"{"name": "mlp-step", "backend": "\#(backend)", "value": \#(best * 1e3), "unit": "ms"}"#)
        }
    }
}
