import SwiftTorchCore

/// Parameters that get their own learning rate (and weight decay), as one of PyTorch's
/// `param_groups` dictionaries; options left nil take the optimizer's defaults. Other
/// options can be changed per group afterwards through `optimizer.paramGroups[i].options`.
public struct ParamGroup {
    /// The tensors updated with these options.
    public var params: [Tensor]
    /// This group's learning rate, or nil for the optimizer's.
    public var lr: Double?
    /// This group's weight decay, or nil for the optimizer's.
    public var weightDecay: Double?

    /// A group of `params` with optional overrides.
    public init(params: [Tensor], lr: Double? = nil, weightDecay: Double? = nil) {
        self.params = params
        self.lr = lr
        self.weightDecay = weightDecay
    }
}

/// The hyperparameters of one optimizer, held per parameter group.
public protocol OptimizerOptions: Sendable {
    /// Learning rate; schedulers change it between steps.
    var lr: Double { get set }
    /// Weight decay (L2 penalty, or decoupled for AdamW).
    var weightDecay: Double { get set }
    /// Throws a ``TorchError`` naming `optimizer` and the first option out of range.
    func validate(_ optimizer: String) throws
    /// The options by PyTorch's names (`lr`, `momentum`, `betas`, ...), as an entry of
    /// `state_dict()["param_groups"]` holds them.
    var stateValues: [String: StateValue] { get }
    /// Sets the options found in `values` (a `param_groups` entry); keys it does not know
    /// are left alone, and a known key holding the wrong type throws, naming `optimizer`.
    mutating func load(_ values: [String: StateValue], optimizer: String) throws
    /// The number options by PyTorch's names, for the default ``stateValues`` and ``load(_:optimizer:)``.
    static var numberOptions: [(name: String, path: WritableKeyPath<Self, Double>)] { get }
    /// The true-or-false options by PyTorch's names.
    static var flagOptions: [(name: String, path: WritableKeyPath<Self, Bool>)] { get }
}

extension OptimizerOptions {
    /// The options of ``numberOptions`` and ``flagOptions`` by name.
    public var stateValues: [String: StateValue] { tableValues }

    /// Sets the options of ``numberOptions`` and ``flagOptions`` that `values` holds.
    public mutating func load(_ values: [String: StateValue], optimizer: String) throws {
        try loadTable(values, optimizer: optimizer)
    }

    var tableValues: [String: StateValue] {
        var values: [String: StateValue] = [:]
        for (name, path) in Self.numberOptions { values[name] = .number(self[keyPath: path]) }
        for (name, path) in Self.flagOptions { values[name] = .bool(self[keyPath: path]) }
        return values
    }

    mutating func loadTable(_ values: [String: StateValue], optimizer: String) throws {
        for (name, path) in Self.numberOptions { try values.update(&self[keyPath: path], name, optimizer) }
        for (name, path) in Self.flagOptions { try values.update(&self[keyPath: path], name, optimizer) }
    }
}

/// A parameter group as an optimizer holds it: the tensors and the full options.
public struct OptimizerGroup<Options: OptimizerOptions> {
    /// The tensors updated with these options.
    public var params: [Tensor]
    /// Every hyperparameter of this group.
    public var options: Options
    /// The learning rate the group had when its first scheduler was made (PyTorch's
    /// `initial_lr`): what later schedulers take as their base rate.
    public var initialLR: Double?
    /// This group's learning rate (a shortcut into `options`).
    public var lr: Double {
        get { options.lr }
        set { options.lr = newValue }
    }
}

/// Updates parameters from their gradients, as PyTorch's `torch.optim.Optimizer`.
///
/// <!-- snippet: optimizer-step -->
/// ```swift
/// let optimizer = try SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// optimizer.zeroGrad()
/// let loss = try MSELoss()(model(x), y)
/// try loss.backward()
/// try optimizer.step()
/// ```
public protocol Optimizer: AnyObject {
    /// The hyperparameters each group holds.
    associatedtype Options: OptimizerOptions
    /// The parameter groups with their options; change options here between steps.
    var paramGroups: [OptimizerGroup<Options>] { get set }
    /// Updates every parameter that has a gradient, in place and outside autograd.
    func step() throws
    /// The running state of `parameter` by PyTorch's names (`momentum_buffer`, `step`,
    /// `exp_avg`, ...): the optimizer's own tensors, empty before its first update.
    func state(of parameter: Tensor) throws -> [String: Tensor]
    /// Replaces the running state of every parameter with `state` (parameters it leaves out
    /// start afresh). Checks every entry's name, shape and dtype first and throws a
    /// ``TorchError`` without changing anything if one does not fit.
    func loadState(_ state: [ObjectIdentifier: [String: Tensor]]) throws
}

extension Optimizer {
    /// The learning rate of each group, in order; what schedulers read and set.
    public var learningRates: [Double] {
        get { paramGroups.map(\.lr) }
        set {
            precondition(newValue.count == paramGroups.count, "learningRates: \(newValue.count) values for \(paramGroups.count) parameter groups")
            for i in paramGroups.indices { paramGroups[i].lr = newValue[i] }
        }
    }

    /// Sets every parameter's gradient to nil (PyTorch's default `set_to_none=True`), so the
    /// next backward pass starts from nothing and `step()` skips unused parameters.
    public func zeroGrad() {
        for group in paramGroups {
            for p in group.params { p.grad = nil }
        }
    }

    /// Adds a group (options it does not set take `defaults`), checking it as `init` does.
    func appendGroups(_ groups: [ParamGroup], defaults: Options, name: String) throws {
        var seen = Set(paramGroups.flatMap { $0.params.map(ObjectIdentifier.init) })
        for group in groups {
            var options = defaults
            if let lr = group.lr { options.lr = lr }
            if let wd = group.weightDecay { options.weightDecay = wd }
            try options.validate(name)
            for p in group.params {
                guard p.isLeaf else {
                    throw TorchError(.invalidArgument, "\(name): can't optimize a non-leaf Tensor (\(p.dtype)\(describe(shape: p.shape)) produced by \(p.gradFn!.name)); optimize the leaf it was computed from")
                }
                guard p.dtype.isFloatingPoint else {
                    throw TorchError(.dtypeMismatch, "\(name): parameters must be floating point, got \(p.dtype)\(describe(shape: p.shape))")
                }
                guard seen.insert(ObjectIdentifier(p)).inserted else {
                    throw TorchError(.invalidArgument, "\(name): some parameters appear in more than one parameter group (or twice in one); a tensor of shape \(describe(shape: p.shape)) is repeated")
                }
            }
            paramGroups.append(OptimizerGroup(params: group.params, options: options, initialLR: nil))
        }
    }

    /// Calls `update` once per group with the group's parameters that have a gradient (in
    /// order), their gradients and the group's options, with recording off: an update must
    /// not enter the graph, and in-place writes to tensors that require grad are allowed
    /// only there. Groups without any gradient are skipped.
    func forEachGroupWithGradients(_ update: (_ params: [Tensor], _ grads: [Tensor], _ options: Options) throws -> Void) throws {
        try withNoGrad {
            for group in paramGroups {
                let params = group.params.filter { $0.grad != nil }
                if params.isEmpty { continue }
                try update(params, params.map { $0.grad! }, group.options)
            }
        }
    }
}

/// Runs `body` with contiguous stand-ins of `params` (the fused steps write dense memory)
/// and copies the results back into those that are not contiguous, which is rare.
func updatingDense(_ params: [Tensor], _ body: ([Tensor]) throws -> Void) throws {
    let dense = try params.map { try $0.contiguous() }
    try body(dense)
    for (p, d) in zip(params, dense) where p !== d { try p.copy_(d) }
}

/// Checks one option's range for `validate(_:)`.
func requireOption(_ optimizer: String, _ name: String, _ value: Double, _ valid: Bool) throws {
    guard valid else { throw TorchError(.invalidArgument, "\(optimizer): invalid \(name) value: \(value)") }
}
