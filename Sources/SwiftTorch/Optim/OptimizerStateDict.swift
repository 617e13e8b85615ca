import SwiftTorchCore

/// An optimizer's state in PyTorch's layout (`optimizer.state_dict()`), what
/// ``Optimizer/stateDict()`` returns and ``Optimizer/loadStateDict(_:)`` takes.
///
/// Parameters are numbered across the groups in order (the first group's parameters first),
/// so a state dict refers to parameters by position, not identity, and loads into a fresh
/// optimizer built over the same parameters in the same order.
public struct OptimizerStateDict {
    /// Each parameter's running state by index (`momentum_buffer`, `step`, `exp_avg`,
    /// `exp_avg_sq`, `max_exp_avg_sq`, `square_avg`, `grad_avg`); a parameter that has not
    /// been updated yet has no entry.
    public var state: [Int: [String: Tensor]]
    /// Each group's options by PyTorch's names (`lr`, `momentum`, `betas`, `weight_decay`,
    /// ..., `initial_lr` once a scheduler set it), with `params`: its parameters' indices.
    public var paramGroups: [[String: StateValue]]

    /// A state dict of the given parts (as a checkpoint reader builds it).
    public init(state: [Int: [String: Tensor]], paramGroups: [[String: StateValue]]) {
        self.state = state
        self.paramGroups = paramGroups
    }
}

extension Optimizer {
    /// The optimizer's name in messages (`SGD`, `AdamW`).
    var optimizerName: String { String(describing: type(of: self)) }

    /// The state dict: per-parameter state (the optimizer's own tensors, not copies, as in
    /// PyTorch) and every group's options.
    public func stateDict() throws -> OptimizerStateDict {
        var state: [Int: [String: Tensor]] = [:]
        var groups: [[String: StateValue]] = []
        var index = 0
        for group in paramGroups {
            var entry = group.options.stateValues
            if let initialLR = group.initialLR { entry["initial_lr"] = .number(initialLR) }
            entry["params"] = .list(group.params.indices.map { .int(index + $0) })
            for p in group.params {
                let own = try self.state(of: p)
                if !own.isEmpty { state[index] = own }
                index += 1
            }
            groups.append(entry)
        }
        return OptimizerStateDict(state: state, paramGroups: groups)
    }

    /// Loads `stateDict` (from ``stateDict()`` or a checkpoint): each group's options and
    /// each parameter's state, copied into the parameter's dtype and device. Everything is
    /// checked before anything changes; a mismatch throws a ``TorchError`` naming it: the
    /// number of groups, a group's size, an index out of range, a state entry's name or shape.
    public func loadStateDict(_ stateDict: OptimizerStateDict) throws {
        let name = "\(optimizerName).loadStateDict"
        guard stateDict.paramGroups.count == paramGroups.count else {
            throw TorchError(.invalidArgument, "\(name): the state dict has \(stateDict.paramGroups.count) parameter groups, this optimizer has \(paramGroups.count)")
        }
        var newGroups = paramGroups
        var parameters: [Tensor] = []
        for (g, saved) in stateDict.paramGroups.enumerated() {
            let indices = try saved.ints("params", name)
            guard indices.count == newGroups[g].params.count else {
                throw TorchError(.invalidArgument, "\(name): loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group \(g): \(indices.count) parameters saved, \(newGroups[g].params.count) here)")
            }
            // PyTorch numbers parameters in order; other numberings would pair tensors wrongly.
            guard indices == Array(parameters.count..<(parameters.count + indices.count)) else {
                throw TorchError(.invalidArgument, "\(name): group \(g) lists parameter indices \(indices); expected \(parameters.count)..<\(parameters.count + indices.count) (parameters numbered across groups in order)")
            }
            parameters += newGroups[g].params
            try newGroups[g].options.load(saved, optimizer: name)
            try newGroups[g].options.validate(name)
            if saved["initial_lr"] != nil { newGroups[g].initialLR = try saved.number("initial_lr", name) }
        }
        var perParameter: [ObjectIdentifier: [String: Tensor]] = [:]
        for (index, entries) in stateDict.state {
            guard parameters.indices.contains(index) else {
                throw TorchError(.indexOutOfRange, "\(name): the state dict has state for parameter \(index), but this optimizer has \(parameters.count) parameters")
            }
            perParameter[ObjectIdentifier(parameters[index])] = entries
        }
        try loadState(perParameter)
        paramGroups = newGroups
    }
}

/// One parameter's loaded state, checked and copied for the optimizer to own.
///
/// Every name must be in `required` or `optional` and every name in `required` present;
/// `step` must be a one-element whole number of at least 1 (returned as a number), and the
/// other tensors must have the parameter's shape. They come back as contiguous copies in
/// the parameter's dtype and device, so the state dict and the optimizer never share memory.
func checkedParameterState(_ entries: [String: Tensor], for parameter: Tensor, optimizer: String,
                           required: Set<String>, optional: Set<String> = []) throws -> (tensors: [String: Tensor], step: Int?) {
    let name = "\(optimizer).loadStateDict"
    let parameterText = "\(parameter.dtype)\(describe(shape: parameter.shape))"
    if let unknown = entries.keys.sorted().first(where: { !required.contains($0) && !optional.contains($0) }) {
        throw TorchError(.invalidArgument, "\(name): unknown state '\(unknown)' for a parameter of \(parameterText); \(optimizer) keeps \((required.union(optional)).sorted().joined(separator: ", "))")
    }
    if let missing = required.sorted().first(where: { entries[$0] == nil }) {
        throw TorchError(.invalidArgument, "\(name): the state of a parameter of \(parameterText) lacks '\(missing)'")
    }
    var tensors: [String: Tensor] = [:]
    var step: Int?
    for (key, tensor) in entries {
        if key == "step" {
            guard tensor.count == 1, let value = Int(exactly: try tensor.item()), value >= 1 else {
                throw TorchError(.invalidArgument, "\(name): 'step' of a parameter of \(parameterText) must be one whole number of at least 1, got \(tensor.dtype)\(describe(shape: tensor.shape))")
            }
            step = value
            continue
        }
        guard tensor.shape == parameter.shape else {
            throw TorchError(.shapeMismatch, "\(name): '\(key)' has shape \(describe(shape: tensor.shape)), its parameter \(parameterText)")
        }
        guard tensor.dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "\(name): '\(key)' must be floating point, got \(tensor.dtype)\(describe(shape: tensor.shape))")
        }
        let converted = try tensor.detach().to(parameter.device).to(parameter.dtype)
        let owned = converted.storage === tensor.storage ? try converted.clone() : converted
        tensors[key] = try owned.contiguous()
    }
    return (tensors, step)
}

/// `step` as PyTorch stores it: a float32 number.
func stepTensor(_ step: Int) throws -> Tensor { try Tensor([Double(step)], shape: [], dtype: .float32, device: .cpu) }
