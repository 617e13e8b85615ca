import SwiftTorchCore

// embedding, one_hot and dropout. The meta rules (Sources/SwiftTorch/Ops/NN) have cast the
// indices to int64 and checked them on the CPU; the kernels check again so that a bad index
// can only ever throw, never trap.

let embeddingKernels: [(String, Kernel)] = [
    ("embedding", embeddingKernel),
    ("one_hot", oneHotKernel),
    ("native_dropout", dropoutKernel),
]

private let embeddingKernel: Kernel = { call in
    let weight = call.arguments.tensor("weight")
    let (rows, width) = (weight.shape[0], weight.shape[1])
    let positions = try call.arguments.tensor("input").int64Values().flatMap { i -> Range<Int> in
        guard i >= 0, i < Int64(rows) else {
            throw TorchError(.indexOutOfRange, "embedding: index \(i) is out of range for a weight of \(rows) rows")
        }
        return (Int(i) * width)..<(Int(i) * width + width)
    }
    if weight.dtype.isFloatingPoint {
        let w = weight.doubleValues()
        call.output.setDoubleValues(positions.map { w[$0] })
    } else {
        let w = weight.int64Values()
        call.output.setInt64Values(positions.map { w[$0] })
    }
}

private let oneHotKernel: Kernel = { call in
    let classes = call.arguments.int("num_classes")
    var out = [Int64](repeating: 0, count: call.output.count)
    for (i, c) in call.arguments.tensor("self").int64Values().enumerated() {
        guard c >= 0, c < Int64(classes) else {
            throw TorchError(.indexOutOfRange, "one_hot: class value \(c) must be in [0, \(classes))")
        }
        out[i * classes + Int(c)] = 1
    }
    call.output.setInt64Values(out)
}

/// Whether dropout keeps element `index` for `seed`: SplitMix64's finaliser of a counter,
/// whose top 53 bits are a uniform number in [0, 1) compared with `p`. The OpenMP backend's
/// `st_dropout_*` computes the same function (see omp_nn.h).
func dropoutKeeps(seed: UInt64, index: Int, p: Double) -> Bool {
    var z = seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    z ^= z >> 31
    return Double(z >> 11) * 0x1p-53 >= p
}

/// `x * (kept ? 1 / (1 - p) : 0)`, with p = 1 scaling by zero (so an infinite input turns
/// into NaN, as PyTorch's multiply by a zero mask).
private let dropoutKernel: Kernel = { call in
    let p = call.arguments.double("p")
    let seed = UInt64(bitPattern: Int64(call.arguments.int("seed")))
    let scale = p == 1 ? 0 : 1 / (1 - p)
    let x = call.arguments.tensor("input").doubleValues()
    call.output.setDoubleValues(x.indices.map { x[$0] * (dropoutKeeps(seed: seed, index: $0, p: p) ? scale : 0) })
}
