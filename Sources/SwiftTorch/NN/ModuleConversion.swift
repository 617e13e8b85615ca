import SwiftTorchCore

extension Module {
    /// Converts every floating-point parameter and buffer (and their gradients) to `dtype`,
    /// as PyTorch's `module.to(dtype)`; integer buffers keep their type. Parameters are
    /// replaced by new tensors, so create the optimizer after converting.
    @discardableResult
    public func to(_ dtype: DType) throws -> Self {
        guard dtype.isFloatingPoint else {
            throw TorchError(.dtypeMismatch, "Module.to: nn.Module.to only accepts floating point dtypes, but got desired dtype=\(dtype)")
        }
        try replaceTensors { $0.dtype.isFloatingPoint ? try $0.to(dtype) : $0 }
        return self
    }

    /// Moves every parameter and buffer (and their gradients) to `device`, as PyTorch's
    /// `module.to(device)`. Parameters are replaced by new tensors, so create the optimizer
    /// after moving.
    @discardableResult
    public func to(_ device: Device) throws -> Self {
        try replaceTensors { try $0.to(device) }
        return self
    }

    /// Replaces each wrapped tensor by `convert(tensor)`, keeping shared tensors shared.
    private func replaceTensors(_ convert: (Tensor) throws -> Tensor) throws {
        var converted: [ObjectIdentifier: Tensor] = [:]
        try withNoGrad {
            for module in modules() {
                for (_, slot) in module.ownSlots() {
                    guard let old = slot.slotTensor else { continue }
                    let id = ObjectIdentifier(old)
                    if let done = converted[id] {
                        slot.slotTensor = done
                        continue
                    }
                    let new = try convert(old)
                    if new !== old {
                        new.grad = try old.grad.map(convert)
                        slot.slotTensor = new
                    }
                    converted[id] = new
                }
            }
        }
    }
}
