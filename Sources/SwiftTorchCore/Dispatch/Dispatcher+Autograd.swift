#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The autograd hop of the dispatcher: a call whose inputs want gradients runs below
// autograd, then records a node that holds the derivative formula and what it declared
// it saves: only those tensors stay alive with the graph.

extension Dispatcher {
    func callRecordingGradient(_ op: OperatorHandle, _ arguments: Arguments, derivative: Derivative) throws -> [Tensor] {
        let outputs = try GradMode.withNoGrad { try callBelowAutograd(op, arguments) }
        // Formulas see Swift numbers as the wrapped tensors PyTorch would record; wrapped
        // once here, they are both the node's inputs and what it saves.
        var saved = arguments
        saved.wrapNumbers()
        let inputs = saved.tensors
        let needsGrad = inputs.map(\.requiresGrad)
        let edges: [GradientEdge?] = inputs.map { t in
            guard t.requiresGrad else { return nil }
            if let node = t.gradFn { return .node(node, outputIndex: t.outputIndex) }
            return .leaf(t)
        }
        // Saved tensors are detached aliases: the node must not keep its own outputs'
        // autograd state alive (that would be a reference cycle). Unsaved ones become
        // stand-ins that carry their metadata and no data.
        let saves = derivative.saves
        var versions: [(tensor: Tensor, version: Int)] = []
        func keep(_ t: Tensor) -> Tensor {
            let a = t.alias()
            versions.append((a, t.storage.version))
            return a
        }
        saved.values = zip(saved.schema.arguments, saved.values).map { argument, v in
            let kept = saves.savesInput(argument.name)
            switch v {
            case .tensor(let t): return .tensor(kept ? keep(t) : t.standIn())
            case .tensorList(let ts): return .tensorList(ts.map { kept ? keep($0) : $0.standIn() })
            default: return v
            }
        }
        let savedOutputs = outputs.map { saves.outputs ? keep($0) : $0.standIn() }
        let formula = derivative.formula
        let node = AutogradNode(
            name: op.definition.backwardName, edges: edges,
            outputShapes: outputs.map(\.shape), outputDTypes: outputs.map(\.dtype),
            outputDevice: outputs.first?.device ?? .cpu, savedVersions: versions,
            apply: { grads in
                try formula(BackwardContext(arguments: saved, outputs: savedOutputs, gradOutputs: grads.map { $0! },
                                            needsGrad: needsGrad, saved: saves))
            })
        for (i, out) in outputs.enumerated() where out.dtype.isFloatingPoint {
            out.requiresGrad = true
            out.gradFn = node
            out.outputIndex = i
        }
        return outputs
    }
}

extension Tensor {
    /// A new tensor object over the same elements, without autograd history.
    public func alias() -> Tensor {
        Tensor(uncheckedStorage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype, isWrappedNumber: isWrappedNumber)
    }

    /// This tensor's metadata (shape, strides, dtype, device) over an empty storage of the
    /// same device: what autograd keeps of a tensor its derivative does not save.
    func standIn() -> Tensor {
        Tensor(uncheckedStorage: Storage(device: device, byteCount: 0, data: StandInStorage.data, release: { _ in }),
               shape: shape, strides: strides, offset: offset, dtype: dtype, isWrappedNumber: isWrappedNumber)
    }
}

/// The address stand-in storages point at: 1 GiB of address space reserved with no access,
/// so a kernel handed a stand-in (a formula that bypassed `ctx.input`) faults at once
/// instead of reading garbage. It costs no memory.
private enum StandInStorage {
    nonisolated(unsafe) static let data: UnsafeMutableRawPointer = {
        let size = 1 << 30
        if let p = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), p != MAP_FAILED {
            return p
        }
        return UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    }()
}
