import Foundation
import SwiftTorchCore

/// Everything needed to resume training, as the dictionary PyTorch tutorials pass to
/// `torch.save`: the model's state dict, the optimizer's and the scheduler's, the epoch, the
/// random generator's state and any extra values (a loss, a best accuracy).
///
/// On disk it is one safetensors file, written atomically: the tensors under PyTorch's
/// dotted keys (`model.0.weight`, `optimizer.state.0.momentum_buffer`, `rng_state`) and the
/// rest as JSON in the file's metadata (`optimizer.param_groups`, `scheduler`, `epoch`,
/// `extra`). ``saveCheckpoint(to:model:optimizer:scheduler:epoch:generator:extra:)`` and
/// ``loadCheckpoint(from:model:optimizer:scheduler:generator:)`` do it in one call.
public struct Checkpoint {
    /// The file format's name and version, stored as the metadata entry `format`.
    public static let format = "swifttorch-checkpoint/1"

    /// The model's parameters and buffers.
    public var model: StateDict
    /// The optimizer's state, if one was saved.
    public var optimizer: OptimizerStateDict?
    /// The scheduler's state, if one was saved.
    public var scheduler: [String: StateValue]?
    /// The epoch the checkpoint was taken after.
    public var epoch: Int
    /// The random generator's state, if it was saved.
    public var rngState: Generator.State?
    /// Other values to keep with the checkpoint.
    public var extra: [String: StateValue]

    /// A checkpoint of the given parts.
    public init(model: StateDict, optimizer: OptimizerStateDict? = nil, scheduler: [String: StateValue]? = nil, epoch: Int,
                rngState: Generator.State? = nil, extra: [String: StateValue] = [:]) {
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.epoch = epoch
        self.rngState = rngState
        self.extra = extra
    }

    /// Writes the checkpoint as one safetensors file, atomically: a reader (or a crash)
    /// sees the old file or the whole new one, never a mixture.
    public func write(to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (key, tensor) in model { tensors["model.\(key)"] = tensor }
        var metadata = ["format": Checkpoint.format, "epoch": String(epoch), "extra": try StateValue.json(.dictionary(extra))]
        if let optimizer {
            for (index, entries) in optimizer.state {
                for (name, tensor) in entries { tensors["optimizer.state.\(index).\(name)"] = tensor }
            }
            metadata["optimizer.param_groups"] = try StateValue.json(.list(optimizer.paramGroups.map(StateValue.dictionary)))
        }
        if let scheduler { metadata["scheduler"] = try StateValue.json(.dictionary(scheduler)) }
        if let rngState { tensors["rng_state"] = try rngState.tensor() }
        try Safetensors.save(tensors, to: url, metadata: metadata)
    }

    /// Reads a checkpoint written by ``write(to:)``; a file that is not one throws
    /// `TorchError(.io)` naming the file and what is wrong.
    public init(contentsOf url: URL) throws {
        let file = try SafetensorsReader(contentsOf: url)
        let what = "checkpoint \(url.path)"
        guard file.metadata["format"] == Checkpoint.format else {
            throw TorchError(.io, "\(what): not a SwiftTorch checkpoint (metadata 'format' is \(file.metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(Checkpoint.format)')")
        }
        guard let epochText = file.metadata["epoch"], let epoch = Int(epochText) else {
            throw TorchError(.io, "\(what): metadata 'epoch' is missing or not a whole number")
        }
        func json(_ key: String) throws -> StateValue? {
            try file.metadata[key].map { try StateValue.parse($0, what: "\(what): metadata '\(key)'") }
        }
        var model: [(String, Tensor)] = []
        var optimizerState: [Int: [String: Tensor]] = [:]
        var rngState: Generator.State?
        for name in file.names {
            let parts = name.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            if name.hasPrefix("model."), name.count > 6 {
                model.append((String(name.dropFirst(6)), try file.tensor(named: name)))
            } else if parts.count == 4, parts[0] == "optimizer", parts[1] == "state", let index = Int(parts[2]) {
                optimizerState[index, default: [:]][parts[3]] = try file.tensor(named: name)
            } else if name == "rng_state" {
                rngState = try Generator.State(tensor: try file.tensor(named: name))
            } else {
                throw TorchError(.io, "\(what): unexpected tensor '\(name)' (a checkpoint holds model.*, optimizer.state.*, rng_state)")
            }
        }
        var optimizer: OptimizerStateDict?
        if let groups = try json("optimizer.param_groups") {
            guard case .list(let entries) = groups else { throw TorchError(.io, "\(what): 'optimizer.param_groups' must be a list") }
            let paramGroups = try entries.map { entry -> [String: StateValue] in
                guard case .dictionary(let group) = entry else { throw TorchError(.io, "\(what): each parameter group must be a dictionary") }
                return group
            }
            optimizer = OptimizerStateDict(state: optimizerState, paramGroups: paramGroups)
        } else if !optimizerState.isEmpty {
            throw TorchError(.io, "\(what): optimizer state without 'optimizer.param_groups'")
        }
        var scheduler: [String: StateValue]?
        if let value = try json("scheduler") {
            guard case .dictionary(let state) = value else { throw TorchError(.io, "\(what): 'scheduler' must be a dictionary") }
            scheduler = state
        }
        var extra: [String: StateValue] = [:]
        if let value = try json("extra") {
            guard case .dictionary(let values) = value else { throw TorchError(.io, "\(what): 'extra' must be a dictionary") }
            extra = values
        }
        self.init(model: StateDict(model), optimizer: optimizer, scheduler: scheduler, epoch: epoch, rngState: rngState, extra: extra)
    }
}

/// Saves a checkpoint of `model`, `optimizer`, `scheduler`, `epoch` and the state of
/// `generator` (the default one, which dropout and shuffling use unless given another; nil
/// to leave it out) in one safetensors file at `url`, atomically.
///
/// <!-- snippet: save-checkpoint -->
/// ```swift
/// try saveCheckpoint(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch)
/// ```
public func saveCheckpoint(to url: URL, model: Module, optimizer: (any Optimizer)? = nil,
                           scheduler: (any LearningRateSchedule)? = nil, epoch: Int, generator: Generator? = .default,
                           extra: [String: StateValue] = [:]) throws {
    try Checkpoint(model: model.stateDict(), optimizer: optimizer?.stateDict(), scheduler: scheduler?.stateDict(), epoch: epoch,
                   rngState: generator?.getState(), extra: extra).write(to: url)
}

/// Restores a checkpoint written by ``saveCheckpoint(to:model:optimizer:scheduler:epoch:generator:extra:)``
/// into `model` and the given `optimizer`, `scheduler` and `generator` (made afresh as for
/// training), and returns it (its ``Checkpoint/epoch`` and ``Checkpoint/extra``). An optimizer
/// or scheduler given but missing from the file is an error; a generator state missing from
/// the file leaves `generator` as it is.
///
/// Everything is checked before the load is final: if any part does not fit (a missing key,
/// a shape, a group count) a ``TorchError`` says which, and the objects keep their state.
///
/// <!-- snippet: load-checkpoint -->
/// ```swift
/// let start = try loadCheckpoint(from: url, model: model, optimizer: optimizer, scheduler: scheduler).epoch + 1
/// ```
@discardableResult
public func loadCheckpoint(from url: URL, model: Module, optimizer: (any Optimizer)? = nil,
                           scheduler: (any LearningRateSchedule)? = nil, generator: Generator? = .default) throws -> Checkpoint {
    let checkpoint = try Checkpoint(contentsOf: url)
    let what = "loadCheckpoint(\(url.path))"
    if optimizer != nil, checkpoint.optimizer == nil { throw TorchError(.invalidArgument, "\(what): the checkpoint has no optimizer state") }
    if scheduler != nil, checkpoint.scheduler == nil { throw TorchError(.invalidArgument, "\(what): the checkpoint has no scheduler state") }
    // The model's load checks everything before copying, so it goes last; the optimizer and
    // scheduler, loaded first, are put back from their previous state if a later part fails.
    let optimizerBefore = try optimizer?.stateDict()
    let schedulerBefore = scheduler?.stateDict()
    do {
        if let optimizer, let state = checkpoint.optimizer { try optimizer.loadStateDict(state) }
        if let scheduler, let state = checkpoint.scheduler { try scheduler.loadStateDict(state) }
        try model.loadStateDict(checkpoint.model)
    } catch {
        if let optimizer, let optimizerBefore { try? optimizer.loadStateDict(optimizerBefore) }
        if let scheduler, let schedulerBefore { try? scheduler.loadStateDict(schedulerBefore) }
        throw error
    }
    if let generator, let state = checkpoint.rngState { generator.setState(state) }
    return checkpoint
}
