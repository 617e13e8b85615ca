import SwiftTorchCore

// Why layer initialisers do not throw.
//
// A PyTorch model declares its layers where it builds them: `self.fc1 = nn.Linear(784, 128)`.
// The Swift reading of that line is a stored property, `let fc1 = Linear(784, 128)`, and a
// property initialiser cannot throw. The alternatives were weighed:
//
// - A throwing `Module.init()` lets a subclass write `override init() throws { fc1 = try
//   Linear(...); try super.init() }`, but then every parameter-free layer (`ReLU()`) needs a
//   `try` as well, and every model carries that ceremony.
// - `try!` in property initialisers traps on a bad size, which the library never does.
//
// So a layer initialiser validates its arguments and allocates its tensors at once, as
// PyTorch does, and when that fails it keeps the error instead of throwing it: its tensors
// are empty placeholders and its first forward call throws the error. `constructionError`
// and `checkConstructed()` show it earlier to code that wants to look. Nothing traps.

extension Module {
    /// Throws the first error met while building this module or any module below it (a
    /// bad size, memory that could not be had): `try model.checkConstructed()` reports it
    /// before training starts, where a forward call would report it anyway.
    public func checkConstructed() throws {
        for module in modules() {
            if let error = module.constructionError { throw error }
        }
    }

    /// Throws this layer's own construction error; a layer's forward pass calls it first
    /// (it walks no tree, so it costs nothing on the hot path).
    func throwConstructionError() throws {
        if let constructionError { throw constructionError }
    }
}

/// The tensors a layer initialiser made, or the error that stopped it.
struct LayerTensors<Value> {
    /// The tensors, or nil when construction failed.
    let value: Value?
    /// What failed, kept for the layer's first forward call.
    let error: TorchError?

    /// Runs `make`, keeping its error; an error that is not a ``TorchError`` (none is
    /// expected) is wrapped in one that names `layer`.
    init(_ layer: String, _ make: () throws -> Value) {
        do {
            value = try make()
            error = nil
        } catch let failure as TorchError {
            value = nil
            error = failure
        } catch {
            value = nil
            self.error = TorchError(.invalidArgument, "\(layer): \(error)")
        }
    }
}

extension Tensor {
    /// An empty `[0]` tensor of `dtype` that owns no memory: what a layer whose tensors
    /// could not be made holds instead, so that building it never fails a second time.
    static func unbuiltPlaceholder(_ dtype: DType) -> Tensor {
        Tensor(uncheckedStorage: Storage(device: .cpu, byteCount: 0, data: UnbuiltStorage.address, release: { _ in }),
               shape: [0], strides: [1], offset: 0, dtype: dtype)
    }
}

/// The address that zero-byte placeholder storages point at; nothing is ever read from it.
private enum UnbuiltStorage {
    nonisolated(unsafe) static let address = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
}
