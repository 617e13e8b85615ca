import SwiftTorchCore

/// The unit a benchmark result is reported in.
public enum BenchmarkUnit: String, Sendable, Codable {
    /// Billions of floating-point operations per second: higher is better.
    case gflops = "GFLOP/s"
    /// Milliseconds per call: lower is better.
    case milliseconds = "ms"
    /// Microseconds per call: lower is better.
    case microseconds = "us"

    /// Whether a larger value means faster.
    public var higherIsBetter: Bool { self == .gflops }
}

/// One fixed workload of `swifttorch bench`, written with the public API only, so that it
/// measures what a user's code would get (dispatch, allocation of a fresh output, kernel).
///
/// The same definitions serve the CLI, the ordo-one regression suite in `Benchmarks/` and
/// `Benchmarks/compare.py` (which runs the same shapes in NumPy and PyTorch).
public struct BenchmarkWorkload {
    /// Stable name, e.g. `mm-1024`; results are compared across runs and tools by it.
    public let name: String
    /// What the measurement is: a rate or a time per call.
    public let unit: BenchmarkUnit
    /// Floating-point operations per call, for `.gflops` workloads.
    public let flopsPerCall: Double?
    /// The operators a call dispatches, to tell which backend really served it.
    public let operators: [String]
    /// Builds the inputs (untimed) and returns the call to time. Run it under the backend
    /// being measured (``Runtime/withBackend(_:_:)``): creation goes through the dispatcher too.
    public let prepare: () throws -> () throws -> Void

    /// A workload named `name` whose `prepare` builds the inputs and returns the call to time.
    public init(name: String, unit: BenchmarkUnit, flopsPerCall: Double? = nil, operators: [String],
                prepare: @escaping () throws -> () throws -> Void) {
        self.name = name
        self.unit = unit
        self.flopsPerCall = flopsPerCall
        self.operators = operators
        self.prepare = prepare
    }

    /// The value to report for a measured time per call, in this workload's unit.
    public func value(secondsPerCall t: Double) -> Double {
        switch unit {
        case .gflops: (flopsPerCall ?? 0) / t / 1e9
        case .milliseconds: t * 1e3
        case .microseconds: t * 1e6
        }
    }
}

extension BenchmarkWorkload {
    /// Elements of the large elementwise and reduction workloads: 16 Mi float32 (64 MiB).
    public static let largeCount = 16_777_216

    /// The fixed set, in the order `swifttorch bench` runs and prints it.
    public static func standard() -> [BenchmarkWorkload] {
        [256, 512, 1024, 2048].map(matrixProduct) + [
            // The LSTM step's per-time-step product (h @ w_hh.T: batch 64, hidden 128, 4 gates),
            // where a GEMM's fixed costs show; and a float64 product.
            matrixProduct(name: "mm-64x128x512", [64, 128], [128, 512], .float32),
            matrixProduct(name: "mm-f64-512", [512, 512], [512, 512], .float64),
            binary("add-16M", "add") { try $0 + $1 },
            binary("mul-16M", "mul") { try $0 * $1 },
            unary("exp-16M", "exp") { try $0.exp() },
            unary("sum-16M", "sum") { try $0.sum() },
            BenchmarkWorkload(name: "softmax-4096x1024", unit: .milliseconds, operators: ["softmax"]) {
                let x = try Tensor.randn([4096, 1024])
                return { _ = try x.softmax(dim: -1) }
            },
            BenchmarkWorkload(name: "add-tiny", unit: .microseconds, operators: ["add"]) {
                let a = try Tensor.rand([8]), b = try Tensor.rand([8])
                return { _ = try a + b }
            },
            BenchmarkWorkload(name: "add-scalar-tiny", unit: .microseconds, operators: ["add"]) {
                let x = try Tensor.rand([8])
                return { _ = try x + 2.0 }
            },
            convolutionTrainingStep(),
            BenchmarkWorkload(name: "mlp-step", unit: .milliseconds, operators: ["linear", "mm", "mul", "add"]) {
                let mlp = try MLPStep()
                return { try mlp.step() }
            },
        ] + sequenceTrainingSteps()
    }

    /// `conv2d-fwd-bwd`: a first-layer convolution's training step, batch 64 of 1×28×28
    /// images, 32 filters of 3×3 with bias: forward, then backward to the input, the
    /// weight and the bias (gradients cleared each call, as `zeroGrad` would).
    static func convolutionTrainingStep() -> BenchmarkWorkload {
        BenchmarkWorkload(name: "conv2d-fwd-bwd", unit: .milliseconds,
                          operators: ["conv2d", "conv2d_backward_input", "conv2d_backward_weight"]) {
            let x = try Tensor.randn([64, 1, 28, 28]).requiringGrad()
            let w = try Tensor.randn([32, 1, 3, 3]).requiringGrad(), b = try Tensor.randn([32]).requiringGrad()
            let upstream = try Tensor.randn([64, 32, 26, 26])
            return {
                for t in [x, w, b] { t.grad = nil }
                try conv2d(x, weight: w, bias: b).backward(gradient: upstream)
            }
        }
    }

    /// `mm-N`: float32 [N, N] @ [N, N] through `matmul`, 2 N^3 operations.
    public static func matrixProduct(_ n: Int) -> BenchmarkWorkload {
        matrixProduct(name: "mm-\(n)", [n, n], [n, n], .float32)
    }

    /// `left @ right` (shapes [m, k] and [k, n]) of `dtype` through `matmul`, 2 m k n operations.
    static func matrixProduct(name: String, _ left: [Int], _ right: [Int], _ dtype: DType) -> BenchmarkWorkload {
        BenchmarkWorkload(name: name, unit: .gflops, flopsPerCall: 2 * Double(left[0]) * Double(left[1]) * Double(right[1]),
                          operators: ["matmul"]) {
            let a = try Tensor.randn(left).to(dtype), b = try Tensor.randn(right).to(dtype)
            return { _ = try a.matmul(b) }
        }
    }

    /// A binary op on two 16 Mi-element float32 tensors; every call allocates its output.
    static func binary(_ name: String, _ op: String, _ body: @escaping (Tensor, Tensor) throws -> Tensor) -> BenchmarkWorkload {
        BenchmarkWorkload(name: name, unit: .milliseconds, operators: [op]) {
            let a = try Tensor.rand([largeCount]), b = try Tensor.rand([largeCount])
            return { _ = try body(a, b) }
        }
    }

    /// A unary op or reduction on one 16 Mi-element float32 tensor.
    static func unary(_ name: String, _ op: String, _ body: @escaping (Tensor) throws -> Tensor) -> BenchmarkWorkload {
        BenchmarkWorkload(name: name, unit: .milliseconds, operators: [op]) {
            let a = try Tensor.rand([largeCount])
            return { _ = try body(a) }
        }
    }
}
