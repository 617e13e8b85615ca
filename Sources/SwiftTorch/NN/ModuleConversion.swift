import SwiftTorchCore

extension Module {
    /// Converts every floating-point parameter and buffer (and their gradients) to `dtype`,
    /// as PyTorch's `module.to(dtype)`; integer buffers keep their type. Each tensor keeps
    /// its identity, so an optimizer made before still updates the model.
    @discardableResult
    public func to(_ dtype: DType) throws -> Self {
        guard dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "Module.to: nn.Module.to only accepts floating point dtypes, but got desired dtype=\(dtype)")
        }
        try convertTensors { $0.dtype.isFloatingPoint ? try $0.to(dtype) : $0 }
        return self
    }

    /// Moves every parameter and buffer (and their gradients) to `device`, as PyTorch's
    /// `module.to(device)`. Each tensor keeps its identity, so an optimizer made before still
    /// updates the model: `model.to(device)` may come before or after building it.
    @discardableResult
    public func to(_ device: Device) throws -> Self {
        try convertTensors { try $0.to(device) }
        return self
    }

    /// Gives each wrapped tensor (and its gradient) the data of `convert(tensor)` in place,
    /// as PyTorch's `_apply` does with `param.data = fn(param)`: the objects that optimizers
    /// and other modules hold stay the same. A tensor shared by several modules converts once.
    private func convertTensors(_ convert: (Tensor) throws -> Tensor) throws {
        var done: Set<ObjectIdentifier> = []
        try withNoGrad {
            for module in modules() {
                for (_, slot) in module.ownSlots() {
                    guard let tensor = slot.slotTensor, done.insert(ObjectIdentifier(tensor)).inserted else { continue }
                    for target in [tensor] + (tensor.grad.map { [$0] } ?? []) {
                        let converted = try convert(target)
                        if converted !== target { target.setData(converted) }
                    }
                }
            }
        }
    }
}
