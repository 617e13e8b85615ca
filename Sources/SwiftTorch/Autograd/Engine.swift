import SwiftTorchCore

/// Runs the backward pass: visits the recorded graph in reverse topological order, calls
/// each node's derivative formula with the summed gradients of its outputs, and
/// accumulates into the `.grad` of leaves. Formulas are written with registered
/// operators, so this code knows nothing about backends.
enum AutogradEngine {
    static func backward(_ root: Tensor, gradient: Tensor?, retainGraph: Bool) throws {
        guard root.requiresGrad else {
            throw TorchError(.autograd, "backward: element 0 of tensors does not require grad and does not have a grad_fn; set requiresGrad on a leaf before computing \(describe(shape: root.shape))")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == root.shape else {
                throw TorchError(.shapeMismatch, "backward: gradient of shape \(describe(shape: gradient.shape)) does not match the output's shape \(describe(shape: root.shape))")
            }
            seed = gradient
        } else {
            guard root.count == 1 else {
                throw TorchError(.autograd, "backward: grad can be implicitly created only for scalar outputs; this output has shape \(describe(shape: root.shape)); pass backward(gradient:)")
            }
            seed = try Tensor.ones(like: root)
        }
        let callbacks = BackwardCallbacks()
        try GradMode.withNoGrad {
            try BackwardCallbacks.$current.withValue(callbacks) {
                guard let rootNode = root.gradFn else {
                    var given: Tensor? = seed
                    try accumulate(into: root, &given)
                    try runPostAccumulateGradHooks(root)
                    return
                }
                try run(from: rootNode, outputIndex: root.outputIndex, seed: seed, retainGraph: retainGraph)
            }
            // After the whole graph, outside the scope: a callback may start another backward.
            try callbacks.runAll()
        }
    }

    private static func run(from rootNode: AutogradNode, outputIndex: Int, seed: Tensor, retainGraph: Bool) throws {
        // Count, for each node, how many edges lead into it, so it runs after all of them.
        var dependencies: [ObjectIdentifier: Int] = [:]
        var stack = [rootNode]
        var seen: Set<ObjectIdentifier> = [ObjectIdentifier(rootNode)]
        // Edges into leaves that have post-accumulate hooks, so each hook runs once, after the
        // leaf's last gradient of this pass (a leaf used twice is reached by two edges).
        var hookedLeafEdges: [ObjectIdentifier: Int] = [:]
        while let node = stack.popLast() {
            for edge in node.edges {
                switch edge {
                case .node(let next, _)?:
                    dependencies[ObjectIdentifier(next), default: 0] += 1
                    if seen.insert(ObjectIdentifier(next)).inserted { stack.append(next) }
                case .leaf(let leaf)? where !leaf.postAccumulateGradHooks.isEmpty:
                    hookedLeafEdges[ObjectIdentifier(leaf), default: 0] += 1
                default: break
                }
            }
        }
        var pending: [ObjectIdentifier: [Tensor?]] = [ObjectIdentifier(rootNode): slots(rootNode, outputIndex, seed)]
        var ready = [rootNode]
        while let node = ready.popLast() {
            let id = ObjectIdentifier(node)
            guard let apply = node.apply else {
                throw TorchError(.autograd, "backward: trying to backward through the graph a second time (\(node.name)); the saved tensors were freed after the first backward. Pass retainGraph: true to the first backward() if you need to go through it twice")
            }
            for saved in node.savedVersions where saved.tensor.storage.version != saved.version {
                throw TorchError(.autograd, "backward: a tensor of shape \(describe(shape: saved.tensor.shape)) (\(saved.tensor.dtype)) needed by \(node.name) was modified by an in-place operation after it was saved (version \(saved.version), now \(saved.tensor.storage.version))")
            }
            // The incoming gradients live only in this call, so that a formula's result that
            // passes one through (add's) is uniquely owned when it reaches a leaf.
            var inputGrads = try apply(pending.removeValue(forKey: id).map { incoming in
                try (0..<node.outputCount).map { i in try incoming[i] ?? zeros(node, i) }
            } ?? (0..<node.outputCount).map { try zeros(node, $0) })
            if !retainGraph { node.apply = nil }
            for (k, edge) in node.edges.enumerated() {
                // A leaf whose hooks were counted above (a hook added during the pass waits for
                // the next one): counted down whether or not this edge carries a gradient.
                if !hookedLeafEdges.isEmpty, case .leaf(let tensor)? = edge, let remaining = hookedLeafEdges[ObjectIdentifier(tensor)] {
                    if k < inputGrads.count { try accumulate(into: tensor, &inputGrads[k]) }
                    hookedLeafEdges[ObjectIdentifier(tensor)] = remaining - 1
                    if remaining == 1 { try runPostAccumulateGradHooks(tensor) }
                    continue
                }
                guard k < inputGrads.count, let edge, inputGrads[k] != nil else { continue }
                switch edge {
                case .leaf(let tensor):
                    try accumulate(into: tensor, &inputGrads[k])
                case .node(let next, let index):
                    let grad = inputGrads[k]!
                    let nextID = ObjectIdentifier(next)
                    var slotsForNext = pending[nextID] ?? [Tensor?](repeating: nil, count: next.outputCount)
                    slotsForNext[index] = try slotsForNext[index].map { try $0 + grad } ?? grad
                    pending[nextID] = slotsForNext
                    dependencies[nextID]! -= 1
                    if dependencies[nextID] == 0 { ready.append(next) }
                }
            }
        }
    }

    private static func runPostAccumulateGradHooks(_ leaf: Tensor) throws {
        for hook in leaf.postAccumulateGradHooks { try hook.call(leaf) }
    }

    private static func slots(_ node: AutogradNode, _ index: Int, _ grad: Tensor) -> [Tensor?] {
        var s = [Tensor?](repeating: nil, count: node.outputCount)
        s[index] = grad
        return s
    }

    /// The gradient of an output that received none. An integer output (max_pool2d's
    /// indices, sort's) never carries one, and no formula reads it: on the CPU it gets one
    /// zero broadcast to its shape (stride 0), not a zero-filled tensor per backward.
    private static func zeros(_ node: AutogradNode, _ i: Int) throws -> Tensor {
        let shape = node.outputShapes[i], dtype = node.outputDTypes[i]
        if !dtype.isFloatingPoint, node.outputDevice.isCPU {
            let zero = try Tensor(zerosOnCPU: [], dtype: dtype)
            return Tensor(uncheckedViewOf: zero, shape: shape, strides: [Int](repeating: 0, count: shape.count), offset: 0)
        }
        return try Tensor.zeros(shape, dtype: dtype, device: node.outputDevice)
    }

    /// Adds `grad` to a leaf's `.grad`, as a new tensor (never in place, so a `.grad` that a
    /// user holds does not change under them). The first gradient is taken as it is, without
    /// a copy, when nothing else holds its elements (PyTorch's rule: uniquely owned,
    /// contiguous, of the leaf's shape and dtype); otherwise it is cloned, so a `.grad` never
    /// aliases a tensor the user or the graph still holds. `grad` is consumed.
    static func accumulate(into leaf: Tensor, _ grad: inout Tensor?) throws {
        guard var g = grad.take() else { return }
        if g.shape != leaf.shape { g = try g.sumTo(leaf.shape) }
        if g.dtype != leaf.dtype { g = try g.to(leaf.dtype) }
        if let existing = leaf.grad {
            leaf.grad = try existing + g
        } else {
            leaf.grad = try stolenOrCloned(consume g)
        }
    }

    /// `g` itself when this call holds the only reference to its storage, else a copy.
    private static func stolenOrCloned(_ g: consuming Tensor) throws -> Tensor {
        guard g.isContiguous else { return try g.clone() }
        let (shape, strides, offset, dtype) = (g.shape, g.strides, g.offset, g.dtype)
        var storage = g.storage
        // Dropping our tensor object leaves `storage` unique only if no other tensor object
        // (the user's, a view, a saved alias, the same gradient on another edge) refers to it.
        _ = consume g
        if isKnownUniquelyReferenced(&storage) {
            return Tensor(uncheckedStorage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
        }
        return try Tensor(uncheckedStorage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype).clone()
    }
}
