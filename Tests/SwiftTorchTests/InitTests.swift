import Foundation
import SwiftTorch
import Testing

// nn.init: fills in place, with statistics checked on large tensors drawn from fixed seeds
// (the bounds are several standard errors wide, and the draws never change), exact fills,
// orthogonality, PyTorch's gains and fans, and module.apply's visiting order.

private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
private func std(_ v: [Double]) -> Double {
    let m = mean(v)
    return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
}

/// `a`ᵀ `b` for row-major matrices of `rows` x `columns`, as one flat array.
private func gram(_ q: [Double], rows: Int, columns: Int, ofColumns: Bool) -> [Double] {
    let n = ofColumns ? columns : rows
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0..<n {
            out[i * n + j] = ofColumns
                ? (0..<rows).reduce(0) { $0 + q[$1 * columns + i] * q[$1 * columns + j] }
                : (0..<columns).reduce(0) { $0 + q[i * columns + $1] * q[j * columns + $1] }
        }
    }
    return out
}

@Suite("nn.init fills and module.apply")
struct InitTests {
    @Test func xavierUniformStaysInItsBoundWithTheUniformsSpread() throws {
        let w = try Tensor.zeros([256, 512])
        try Init.xavierUniform(w, gain: 2, generator: Generator(seed: 1))
        let v = try w.toArray(of: Double.self)
        let bound = 2 * (6.0 / Double(256 + 512)).squareRoot()
        #expect(v.allSatisfy { Swift.abs($0) <= bound })
        #expect(Swift.abs(mean(v)) < 0.01 * bound)
        #expect(Swift.abs(std(v) / (bound / 3.0.squareRoot()) - 1) < 0.01)
    }

    @Test func xavierNormalHasGlorotsStd() throws {
        let w = try Tensor.zeros([200, 300], dtype: .float64)
        try Init.xavierNormal(w, generator: Generator(seed: 2))
        let v = try w.toArray(of: Double.self)
        let expected = (2.0 / 500).squareRoot()
        #expect(Swift.abs(mean(v)) < 0.01 * expected)
        #expect(Swift.abs(std(v) / expected - 1) < 0.01)
    }

    @Test func kaimingUniformUsesTheFanAndTheGain() throws {
        let w = try Tensor.zeros([64, 32, 3, 3])  // fan-in 288, fan-out 576
        try Init.kaimingUniform(w, mode: .fanOut, nonlinearity: .relu, generator: Generator(seed: 3))
        let v = try w.toArray(of: Double.self)
        let bound = 2.0.squareRoot() * (3.0 / 576).squareRoot()
        #expect(v.allSatisfy { Swift.abs($0) <= bound })
        #expect(v.max()! > 0.99 * bound)
        #expect(Swift.abs(std(v) / (bound / 3.0.squareRoot()) - 1) < 0.01)
    }

    @Test func kaimingNormalDefaultsToLeakyReluWithSlopeZeroOnTheFanIn() throws {
        let w = try Tensor.zeros([300, 400])
        try Init.kaimingNormal(w, generator: Generator(seed: 4))
        let v = try w.toArray(of: Double.self)
        #expect(Swift.abs(std(v) / (2.0 / 400).squareRoot() - 1) < 0.01)
    }

    @Test func normalAndUniformTakeTheirParameters() throws {
        let n = try Tensor.zeros([100_000])
        try Init.normal(n, mean: 3, std: 0.5, generator: Generator(seed: 5))
        let nv = try n.toArray(of: Double.self)
        #expect(Swift.abs(mean(nv) - 3) < 0.01)
        #expect(Swift.abs(std(nv) - 0.5) < 0.01)
        let u = try Tensor.zeros([100_000])
        try Init.uniform(u, a: -1, b: 3, generator: Generator(seed: 6))
        let uv = try u.toArray(of: Double.self)
        #expect(uv.allSatisfy { $0 >= -1 && $0 < 3 })
        #expect(Swift.abs(mean(uv) - 1) < 0.02)
    }

    @Test func constantFillsAreExact() throws {
        let t = try Tensor.randn([3, 4])
        #expect(try Init.zeros(t).toArray(of: Double.self) == Array(repeating: 0, count: 12))
        #expect(try Init.ones(t).toArray(of: Double.self) == Array(repeating: 1, count: 12))
        #expect(try Init.constant(t, 0.25).toArray(of: Double.self) == Array(repeating: 0.25, count: 12))
    }

    @Test(arguments: [[6, 10], [10, 6], [4, 2, 3]])
    func orthogonalGivesOrthonormalRowsOrColumns(_ shape: [Int]) throws {
        let w = try Tensor.zeros(shape, dtype: .float64)
        try Init.orthogonal(w, gain: 2, generator: Generator(seed: 7))
        let rows = shape[0], columns = w.count / rows
        let q = try w.toArray(of: Double.self).map { $0 / 2 }
        let g = gram(q, rows: rows, columns: columns, ofColumns: rows > columns)
        let n = Swift.min(rows, columns)
        for i in 0..<n {
            for j in 0..<n { #expect(Swift.abs(g[i * n + j] - (i == j ? 1 : 0)) < 1e-12, "entry (\(i), \(j))") }
        }
    }

    @Test func fillsKeepTheTensorAndItsGradientFlag() throws {
        let layer = Linear(3, 2)
        let weight = layer.weight
        let optimizer = try SGD(layer.parameters(), lr: 0.1)
        #expect(try Init.xavierUniform(layer.weight) === weight)
        #expect(layer.weight === weight)
        #expect(weight.requiresGrad)
        #expect(optimizer.paramGroups[0].params[0] === weight)
    }

    @Test func gainsAndFansArePyTorchs() throws {
        #expect(Init.calculateGain(.linear) == 1)
        #expect(Init.calculateGain(.conv2d) == 1)
        #expect(Init.calculateGain(.sigmoid) == 1)
        #expect(Init.calculateGain(.tanh) == 5.0 / 3)
        #expect(Init.calculateGain(.relu) == 2.0.squareRoot())
        #expect(Init.calculateGain(.leakyRelu) == (2.0 / (1 + 0.01 * 0.01)).squareRoot())
        #expect(Init.calculateGain(.leakyRelu, param: 0.2) == (2.0 / 1.04).squareRoot())
        #expect(Init.calculateGain(.selu) == 0.75)
        let fans = try Init.fans(try Tensor.zeros([8, 4, 3, 3]))
        #expect(fans.fanIn == 36)
        #expect(fans.fanOut == 72)
    }

    @Test func badTensorsThrow() throws {
        #expect(throws: TorchError.self) { try Init.xavierUniform(try Tensor.zeros([5])) }
        #expect(throws: TorchError.self) { try Init.orthogonal(try Tensor.zeros([5])) }
        #expect(throws: TorchError.self) { try Init.uniform(try Tensor.zeros([2, 2], dtype: .int64)) }
        #expect(throws: TorchError.self) { try Init.normal(try Tensor.zeros([2]), std: -1) }
    }

    @Test func applyVisitsChildrenBeforeTheirParent() throws {
        let inner = Sequential {
            ReLU()
            Linear(2, 2)
        }
        let model = Sequential {
            Linear(2, 2)
            inner
        }
        var visited: [String] = []
        let returned = model.apply { m in visited.append(String(describing: type(of: m))) }
        #expect(visited == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"])
        #expect(returned === model)
    }

    @Test func applyInitialisesEveryLinearLayer() throws {
        let model = Sequential {
            Linear(4, 3)
            ReLU()
            Linear(3, 2)
        }
        try model.apply { m in
            if let linear = m as? Linear {
                try Init.ones(linear.weight)
                try Init.zeros(linear.bias!)
            }
        }
        for (name, p) in model.namedParameters() {
            #expect(try p.toArray(of: Double.self).allSatisfy { $0 == (name.hasSuffix("weight") ? 1 : 0) })
        }
    }
}
