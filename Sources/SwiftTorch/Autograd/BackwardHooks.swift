import Synchronization
import SwiftTorchCore

// The two hooks a gradient synchroniser needs from autograd, as PyTorch's: a per-leaf hook
// that runs once a backward pass has finished adding to the leaf's `.grad`, and a callback
// queued during a pass that runs when the pass is over. Distributed data parallelism uses
// them to start a gradient all-reduce as soon as its gradients are ready, and to wait for
// the last one before `backward()` returns.

/// A registered hook; `remove()` unregisters it (PyTorch's `RemovableHandle`).
public struct GradHookHandle: Sendable {
    let id: Int
    // Weak, so a handle never keeps the tensor alive.
    private let box: WeakTensor

    init(id: Int, tensor: Tensor) {
        self.id = id
        box = WeakTensor(tensor)
    }

    /// Unregisters the hook; nothing happens if the tensor is gone or it was removed before.
    public func remove() {
        box.tensor?.postAccumulateGradHooks.removeAll { $0.id == id }
    }
}

/// A weak reference to a tensor, shareable across tasks (it is only read to remove a hook).
final class WeakTensor: @unchecked Sendable {
    weak var tensor: Tensor?
    init(_ tensor: Tensor) { self.tensor = tensor }
}

private let nextHookID = Atomic<Int>(1)

extension Tensor {
    /// Calls `hook` with this leaf after each backward pass has added all of its gradient
    /// to `grad` (PyTorch's `register_post_accumulate_grad_hook`): once per pass, even when
    /// the leaf is used several times in the graph. The hook runs inside the pass, with
    /// gradient recording off; an error it throws ends the pass and is thrown by `backward()`.
    @discardableResult
    public func registerPostAccumulateGradHook(_ hook: @escaping (Tensor) throws -> Void) throws -> GradHookHandle {
        guard isLeaf, requiresGrad else {
            throw TorchError(.autograd, "registerPostAccumulateGradHook: only a leaf tensor that requires grad accumulates a gradient; this \(dtype)\(describe(shape: shape)) is \(isLeaf ? "a leaf that does not require grad" : "produced by \(gradFn!.name)")")
        }
        let id = nextHookID.add(1, ordering: .relaxed).oldValue
        postAccumulateGradHooks.append((id: id, call: hook))
        return GradHookHandle(id: id, tensor: self)
    }
}

/// Runs `callback` when the backward pass now running has finished, after every gradient
/// has been accumulated (PyTorch's `Variable._execution_engine.queue_callback`). Callbacks
/// run in the order queued; an error one throws is thrown by `backward()`. Throws when no
/// backward pass is running in this task.
public func queueBackwardCallback(_ callback: @escaping () throws -> Void) throws {
    guard let callbacks = BackwardCallbacks.current else {
        throw TorchError(.autograd, "queueBackwardCallback: no backward pass is running; a callback can only be queued from inside one (a post-accumulate-grad hook)")
    }
    callbacks.list.append(callback)
}

/// The callbacks of one backward pass; one task runs a pass, so no lock is needed.
final class BackwardCallbacks: @unchecked Sendable {
    @TaskLocal static var current: BackwardCallbacks?
    var list: [() throws -> Void] = []

    func runAll() throws {
        for callback in list { try callback() }
    }
}
