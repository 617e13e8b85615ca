import Testing
import SwiftTorch
import SwiftTorchCore

/// Every differentiable operator in the registry, checked against float64 central
/// differences on small samples derived from the registry.
@Suite("Gradcheck of every differentiable operator")
struct GradcheckTests {
    static var differentiable: [String] {
        Runtime.registry.operators.filter { $0.definition.isDifferentiable }.map(\.name)
    }

    @Test("analytic gradients match finite differences", arguments: GradcheckTests.differentiable)
    func gradcheck(_ name: String) throws {
        let op = try #require(Runtime.registry.operator(named: name))
        let samples = try OpSamples(dtype: .float64, forGradcheck: true).samples(for: op)
        let chosen = try #require(samples, "no samples describe '\(name)'; add its family to OpSamples")
        #expect(!chosen.isEmpty, "no gradcheck samples for '\(name)'")
        let dispatcher = try Runtime.dispatcher()
        for sample in chosen {
            // Differentiate with respect to every floating-point tensor argument.
            var slots: [(index: Int, listIndex: Int?)] = []
            var inputs: [Tensor] = []
            for (i, (_, value)) in sample.keywords.enumerated() {
                switch value {
                case .tensor(let t) where t.dtype.isFloatingPoint:
                    slots.append((i, nil)); inputs.append(try t.requiringGrad())
                case .tensorList(let ts):
                    for (j, t) in ts.enumerated() where t.dtype.isFloatingPoint { slots.append((i, j)); inputs.append(try t.requiringGrad()) }
                default: continue
                }
            }
            do {
                try GradCheck.check("\(name) [\(sample.label)]", inputs: inputs) { leaves in
                    var keywords = sample.keywords
                    for (slot, leaf) in zip(slots, leaves) {
                        if let j = slot.listIndex, case .tensorList(var ts) = keywords[slot.index].1 {
                            ts[j] = leaf
                            keywords[slot.index].1 = .tensorList(ts)
                        } else {
                            keywords[slot.index].1 = .tensor(leaf)
                        }
                    }
                    let outputs = try dispatcher.call(op, op.schema.bind([], keywords))
                    return outputs[0]
                }
            } catch let error as TorchError {
                Issue.record("\(error.message)")
            }
        }
    }
}
