import SwiftTorch
import Testing

// Long recorded graphs are freed and differentiated in constant stack depth. Releasing the
// head of a chain used to run one nested `deinit` per node and overflow the stack (at about
// 300,000 nodes on the main thread, far fewer on a smaller thread stack). These run as exit
// tests so that a regression fails its test rather than the whole run.
//
// The million-node chains are built from nodes directly, with pass-through formulas, so the
// tests measure the graph machinery and stay fast in a debug build (a dispatched operator
// costs tens of microseconds there); the last test records real operators.

/// A chain of `length` recorded pass-through operations above `leaf`; the returned tensor is
/// the last one's output, as `x = f(x)` repeated `length` times would leave it.
private func passThroughChain(above leaf: Tensor, length: Int) throws -> Tensor {
    var edge = GradientEdge.leaf(leaf)
    var head: AutogradNode?
    for _ in 0..<length {
        let node = AutogradNode(name: "PassThroughBackward", edges: [edge], outputShapes: [leaf.shape], outputDTypes: [leaf.dtype],
                                outputDevice: .cpu, savedVersions: [], apply: { $0 })
        edge = .node(node, outputIndex: 0)
        head = node
    }
    let output = try Tensor.ones(leaf.shape, dtype: leaf.dtype)
    output.requiresGrad = true
    output.gradFn = head
    return output
}

@Suite("Long graphs")
struct GraphDepthTests {
    @Test func releasingAChainOfAMillionNodesDoesNotOverflowTheStack() async {
        await #expect(processExitsWith: .success) {
            let leaf = try Tensor([1.0]).requiringGrad()
            var output: Tensor? = try passThroughChain(above: leaf, length: 1_000_000)
            #expect(output?.gradFn != nil)
            output = nil
            // The leaf survives the graph that referred to it.
            #expect(try leaf.item() == 1)
        }
    }

    @Test func backwardThroughAChainOfAMillionNodesReachesTheLeaf() async {
        await #expect(processExitsWith: .success) {
            let leaf = try Tensor([2.0]).requiringGrad()
            let output = try passThroughChain(above: leaf, length: 1_000_000)
            try output.backward()
            #expect(try leaf.grad?.item() == 1)
        }
    }

    @Test func aNodeHeldElsewhereOutlivesTheChainReleasedAboveIt() throws {
        let leaf = try Tensor([1.0]).requiringGrad()
        let middle = try passThroughChain(above: leaf, length: 10)
        let kept = middle.gradFn
        var top: Tensor? = try (middle * 3).sum()
        top = nil
        #expect(top == nil)
        #expect(kept === middle.gradFn)
        // The nodes below the released part kept their edges: backward still reaches the leaf.
        try middle.sum().backward()
        #expect(try leaf.grad?.item() == 1)
    }

    /// The common bug `total = total + loss` over a long run, with real operators: the
    /// graph grows by one add per step, and backward and release must both cope.
    @Test func accumulatingALossWithoutDetachOverManyStepsBacksAndFrees() async {
        await #expect(processExitsWith: .success) {
            let w = try Tensor([0.5]).requiringGrad()
            var total = try Tensor.zeros([1])
            let steps = 100_000
            for _ in 0..<steps { total = try total + w }
            try total.sum().backward()
            #expect(try w.grad?.item() == Double(steps))
            total = try Tensor.zeros([1])
            #expect(total.gradFn == nil)
        }
    }
}
