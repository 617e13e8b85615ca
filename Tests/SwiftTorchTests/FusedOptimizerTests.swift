import Foundation
import Testing
import SwiftTorch
import SwiftTorchCore

// The fused optimizer operators on every CPU backend against PyTorch's unfused update,
// written out below with out-of-place operators in PyTorch's order, over a few steps.

private let backends = ["reference", "openmp", "blas"].filter { Runtime.registry.backendDescriptor(named: $0)?.availability.isAvailable == true }

/// Parameters, and a gradient for each at each step, reproducible.
private struct Problem {
    let dtype: DType
    let shapes: [[Int]] = [[5, 3], [40000], []]
    func params() throws -> [Tensor] {
        try shapes.enumerated().map { k, s in try Tensor.randn(s, dtype: dtype, generator: Generator(seed: UInt64(10 + k))) }
    }
    func grads(step: Int) throws -> [Tensor] {
        try shapes.enumerated().map { k, s in try Tensor.randn(s, dtype: dtype, generator: Generator(seed: UInt64(100 * step + k))) * 0.5 }
    }
    var tolerance: Double { dtype == .float64 ? 1e-12 : 2e-5 }
}

private func expectClose(_ a: [Tensor], _ b: [Tensor], _ tolerance: Double, _ label: String) throws {
    for (x, y) in zip(a, b) {
        let u = try x.toArray(of: Double.self), v = try y.toArray(of: Double.self)
        let worst = zip(u, v).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
        #expect(worst <= tolerance, "\(label): relative difference \(worst)")
    }
}

private func call(_ op: OperatorHandle, _ lists: [ArgumentValue], _ options: [(String, ArgumentValue)]) throws {
    _ = try Runtime.dispatcher().call(op, lists, options)
}

@Suite("Fused optimizer operators match the unfused PyTorch update")
struct FusedOptimizerTests {
    @Test(arguments: backends, [true, false])
    func sgd(backend: String, nesterov: Bool) throws {
        for dtype in [DType.float64, .float32] {
            let problem = Problem(dtype: dtype)
            let (lr, wd, momentum, dampening) = (0.1, 0.01, 0.9, nesterov ? 0 : 0.2)
            let fused = try problem.params()
            var expected = try problem.params(), buffers: [Tensor] = []
            var fusedBuffers: [Tensor] = []
            try Runtime.withBackend(backend) {
                for step in 0..<3 {
                    let grads = try problem.grads(step: step)
                    if step == 0 { fusedBuffers = try fused.map { try Tensor.zeros(like: $0) } }
                    try call(Op.fusedSGD_, [.tensorList(fused), .tensorList(grads), .tensorList(fusedBuffers)], [
                        ("weight_decay", .double(wd)), ("momentum", .double(momentum)), ("lr", .double(lr)), ("dampening", .double(dampening)),
                        ("nesterov", .bool(nesterov)), ("maximize", .bool(step == 1)), ("is_first_step", .bool(step == 0)),
                    ])
                    for i in expected.indices {
                        var g = step == 1 ? try -grads[i] : grads[i]
                        g = try g.add(expected[i], alpha: wd)
                        if step == 0 { buffers.append(try g.clone()) } else { buffers[i] = try (buffers[i] * momentum).add(g, alpha: 1 - dampening) }
                        g = nesterov ? try g.add(buffers[i], alpha: momentum) : buffers[i]
                        expected[i] = try expected[i].add(g, alpha: -lr)
                    }
                }
            }
            try expectClose(fused, expected, problem.tolerance, "SGD \(dtype) on \(backend)")
            try expectClose(fusedBuffers, buffers, problem.tolerance, "SGD buffers \(dtype) on \(backend)")
        }
    }

    @Test(arguments: backends, ["_fused_adam_", "_fused_adamw_"])
    func adam(backend: String, name: String) throws {
        let op = try #require(Runtime.registry.operator(named: name))
        let decoupled = name == "_fused_adamw_"
        for dtype in [DType.float64, .float32] {
            let problem = Problem(dtype: dtype)
            let (lr, beta1, beta2, wd, eps) = (0.01, 0.9, 0.999, 0.05, 1e-8)
            let fused = try problem.params()
            let state = try (0..<3).map { _ in try fused.map { try Tensor.zeros(like: $0) } }
            var expected = try problem.params()
            var m = try expected.map { try Tensor.zeros(like: $0) }, v = m, vMax = m
            try Runtime.withBackend(backend) {
                for step in 1...4 {
                    let grads = try problem.grads(step: step)
                    // amsgrad from the second step on: its running maximum starts from zeros.
                    let amsgrad = step > 1
                    try call(op, [.tensorList(fused), .tensorList(grads), .tensorList(state[0]), .tensorList(state[1]),
                                  .tensorList(amsgrad ? state[2] : []), .ints([step, step, step])], [
                        ("lr", .double(lr)), ("beta1", .double(beta1)), ("beta2", .double(beta2)), ("weight_decay", .double(wd)),
                        ("eps", .double(eps)), ("amsgrad", .bool(amsgrad)), ("maximize", .bool(step == 3)),
                    ])
                    for i in expected.indices {
                        var g = step == 3 ? try -grads[i] : grads[i]
                        if decoupled { expected[i] = try expected[i] * (1 - lr * wd) } else { g = try g.add(expected[i], alpha: wd) }
                        m[i] = try m[i].add(g - m[i], alpha: 1 - beta1)
                        v[i] = try (v[i] * beta2).add(g * g, alpha: 1 - beta2)
                        var second = v[i]
                        if amsgrad {
                            vMax[i] = try maximum(vMax[i], v[i])
                            second = vMax[i]
                        }
                        let stepSize = lr / (1 - pow(beta1, Double(step)))
                        let denom = try second.sqrt() / (1 - pow(beta2, Double(step))).squareRoot() + eps
                        expected[i] = try expected[i].add(m[i] / denom, alpha: -stepSize)
                    }
                }
            }
            try expectClose(fused, expected, problem.tolerance, "\(name) \(dtype) on \(backend)")
            try expectClose(state[0] + state[1] + state[2], m + v + vMax, problem.tolerance, "\(name) state \(dtype) on \(backend)")
        }
    }

    @Test(arguments: backends, [true, false])
    func rmsprop(backend: String, centered: Bool) throws {
        for dtype in [DType.float64, .float32] {
            let problem = Problem(dtype: dtype)
            let (lr, alpha, eps, wd, momentum) = (0.01, 0.9, 1e-8, 0.1, centered ? 0.5 : 0)
            let fused = try problem.params()
            let state = try (0..<3).map { _ in try fused.map { try Tensor.zeros(like: $0) } }
            var expected = try problem.params()
            var sq = try expected.map { try Tensor.zeros(like: $0) }, gAvg = sq, buf = sq
            try Runtime.withBackend(backend) {
                for step in 0..<3 {
                    let grads = try problem.grads(step: step)
                    try call(Op.fusedRMSprop_, [.tensorList(fused), .tensorList(grads), .tensorList(state[0]),
                                                .tensorList(centered ? state[1] : []), .tensorList(momentum > 0 ? state[2] : [])], [
                        ("lr", .double(lr)), ("alpha", .double(alpha)), ("eps", .double(eps)), ("weight_decay", .double(wd)),
                        ("momentum", .double(momentum)), ("centered", .bool(centered)), ("maximize", .bool(step == 2)),
                    ])
                    for i in expected.indices {
                        var g = step == 2 ? try -grads[i] : grads[i]
                        g = try g.add(expected[i], alpha: wd)
                        sq[i] = try (sq[i] * alpha).add(g * g, alpha: 1 - alpha)
                        var avg: Tensor
                        if centered {
                            gAvg[i] = try gAvg[i].add(g - gAvg[i], alpha: 1 - alpha)
                            avg = try (sq[i] - gAvg[i] * gAvg[i]).sqrt()
                        } else {
                            avg = try sq[i].sqrt()
                        }
                        avg = try avg + eps
                        if momentum > 0 {
                            buf[i] = try buf[i] * momentum + g / avg
                            expected[i] = try expected[i].add(buf[i], alpha: -lr)
                        } else {
                            expected[i] = try expected[i].add(g / avg, alpha: -lr)
                        }
                    }
                }
            }
            try expectClose(fused, expected, problem.tolerance, "RMSprop \(dtype) on \(backend)")
            try expectClose(state[0], sq, problem.tolerance, "RMSprop square averages \(dtype) on \(backend)")
        }
    }

    @Test func mismatchedListsAreRefusedNamingTheList() throws {
        let p = try Tensor([1.0, 2.0]), g = try Tensor([1.0])
        let error = try #require(throws: TorchError.self) {
            try call(Op.fusedSGD_, [.tensorList([p]), .tensorList([g]), .tensorList([])], [
                ("weight_decay", .double(0)), ("momentum", .double(0)), ("lr", .double(0.1)), ("dampening", .double(0)),
                ("nesterov", .bool(false)), ("maximize", .bool(false)), ("is_first_step", .bool(false)),
            ])
        }
        #expect(error.message.contains("_fused_sgd_") && error.message.contains("grads[0]"), "\(error.message)")
        let steps = try #require(throws: TorchError.self) {
            try call(Op.fusedAdam_, [.tensorList([p]), .tensorList([p]), .tensorList([p]), .tensorList([p]), .tensorList([]), .ints([0])], [
                ("lr", .double(0.1)), ("beta1", .double(0.9)), ("beta2", .double(0.999)), ("weight_decay", .double(0)),
                ("eps", .double(1e-8)), ("amsgrad", .bool(false)), ("maximize", .bool(false)),
            ])
        }
        #expect(steps.message.contains("state_steps"), "\(steps.message)")
    }

    @Test func fusedStepsBumpTheVersionOfWhatTheyWrite() throws {
        let p = try Tensor([1.0, 2.0], dtype: .float64), buffer = try Tensor([0.0, 0.0], dtype: .float64)
        let before = (p.storage.version, buffer.storage.version)
        try call(Op.fusedSGD_, [.tensorList([p]), .tensorList([p.clone()]), .tensorList([buffer])], [
            ("weight_decay", .double(0)), ("momentum", .double(0.9)), ("lr", .double(0.5)), ("dampening", .double(0)),
            ("nesterov", .bool(false)), ("maximize", .bool(false)), ("is_first_step", .bool(true)),
        ])
        #expect(p.storage.version > before.0 && buffer.storage.version > before.1)
        #expect(try p.toArray(of: Double.self) == [0.5, 1.0])
    }

    @Test func optimizersMaximizeWhenAsked() throws {
        let makers: [([Tensor]) throws -> any Optimizer] = [
            { try SGD($0, lr: 0.1, maximize: true) }, { try Adam($0, lr: 0.1, maximize: true) }, { try RMSprop($0, lr: 0.1, maximize: true) },
        ]
        for make in makers {
            let p = try Tensor([1.0], dtype: .float64).requiringGrad()
            let optimizer = try make([p])
            try (p * 2).sum().backward()
            try optimizer.step()
            #expect(try p.item() > 1, "\(type(of: optimizer)) moved against the gradient")
        }
    }

    @Test func nonContiguousParametersAreUpdatedThroughTheirView() throws {
        let base = try Tensor([[1.0, 2.0], [3.0, 4.0]], dtype: .float64)
        let p = try base.t().requiringGrad()  // a leaf with transposed strides
        #expect(!p.isContiguous)
        let optimizer = try SGD([p], lr: 0.5)
        try (p * Tensor([[1.0, 2.0], [3.0, 4.0]], dtype: .float64)).sum().backward()
        try optimizer.step()
        let expected: [Double] = [0.5, 2, 0.5, 2]  // p - 0.5 * [[1, 2], [3, 4]], p = [[1, 3], [2, 4]]
        #expect(try p.toArray(of: Double.self) == expected)
    }
}
