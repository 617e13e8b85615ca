// The autograd hop of the dispatcher: a call whose inputs want gradients runs below
// autograd, then records a node that holds the derivative formula and what it saved.

extension Dispatcher {
    func callRecordingGradient(_ op: OperatorHandle, _ arguments: Arguments,
                                       derivative: @escaping DerivativeFunction) throws -> [Tensor] {
        let outputs = try GradMode.withNoGrad { try callBelowAutograd(op, arguments) }
        let inputs = arguments.tensors
        let needsGrad = inputs.map(\.requiresGrad)
        let edges: [GradientEdge?] = inputs.map { t in
            guard t.requiresGrad else { return nil }
            if let node = t.gradFn { return .node(node, outputIndex: t.outputIndex) }
            return .leaf(t)
        }
        // Saved tensors are detached aliases: the node must not keep its own outputs'
        // autograd state alive (that would be a reference cycle).
        var saved = arguments
        // Formulas see Swift numbers as the wrapped tensors PyTorch would record.
        saved.wrapNumbers()
        saved.values = saved.values.map { v in
            switch v {
            case .tensor(let t): .tensor(t.alias())
            case .tensorList(let ts): .tensorList(ts.map { $0.alias() })
            default: v
            }
        }
        let savedOutputs = outputs.map { $0.alias() }
        let versions = (inputs + outputs).map { (tensor: $0.alias(), version: $0.storage.version) }
        let node = AutogradNode(
            name: Dispatcher.backwardName(op.name), edges: edges,
            outputShapes: outputs.map(\.shape), outputDTypes: outputs.map(\.dtype),
            outputDevice: outputs.first?.device ?? .cpu, savedVersions: versions,
            apply: { grads in
                try derivative(BackwardContext(arguments: saved, outputs: savedOutputs, gradOutputs: grads.map { $0! },
                                               needsGrad: needsGrad))
            })
        for (i, out) in outputs.enumerated() where out.dtype.isFloatingPoint {
            out.requiresGrad = true
            out.gradFn = node
            out.outputIndex = i
        }
        return outputs
    }

    /// `log_softmax` → `LogSoftmaxBackward0`, as PyTorch names its nodes.
    static func backwardName(_ op: String) -> String {
        op.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Backward0"
    }
}

extension Tensor {
    /// A new tensor object over the same elements, without autograd history.
    public func alias() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype, isWrappedNumber: isWrappedNumber)
    }
}
