import SwiftTorchCore

/// The base of every layer and model, as PyTorch's `nn.Module`.
///
/// A model is a subclass with its layers as stored properties and a `callAsFunction` (the
/// `forward` of PyTorch, which is what makes `model(x)` a call). Layer initialisers do not
/// throw (see `LayerConstruction.swift`), so the layers are declared where they are built,
/// line for line as in PyTorch, and the model needs no initialiser of its own:
///
/// <!-- snippet: module-named-parameters -->
/// ```swift
/// final class MLP: Module {
///     let fc1 = Linear(4, 8)
///     let fc2 = Linear(8, 2)
///     func callAsFunction(_ x: Tensor) throws -> Tensor { try fc2(fc1(x).relu()) }
/// }
/// let names = MLP().namedParameters().map(\.0)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
///
/// Parameters, buffers and submodules are found by reflection (`Mirror`): stored
/// properties wrapped in `@Parameter` or `@Buffer`, and properties holding a `Module`, an
/// optional one or an array of them. Nothing is registered by hand. Names are PyTorch's
/// state-dict keys: a property's name in snake_case (`runningMean` → `running_mean`), array
/// elements by index (`blocks.0.weight`).
open class Module {
    /// Whether the module is in training mode (Dropout drops, BatchNorm uses batch
    /// statistics); set with ``train(_:)`` and ``eval()``.
    public private(set) var isTraining = true

    /// Why this module could not be built (a bad size, memory that could not be had), or
    /// nil. Its first forward call throws it; ``checkConstructed()`` finds it in a model.
    public internal(set) var constructionError: TorchError?

    /// A module in training mode.
    public init() {}

    /// This module's own settings as `print(model)` shows them inside its parentheses
    /// (PyTorch's `extra_repr`): `in_features=784, out_features=128, bias=True`. Empty by
    /// default; layers override it.
    open var extraRepr: String { "" }

    /// The direct submodules with their names, in declaration order (superclass
    /// properties first). Override to name children differently, as ``Sequential`` does.
    open func children() -> [(String, Module)] {
        var result: [(String, Module)] = []
        for (label, value) in reflectedProperties() {
            let name = Module.snakeCase(label)
            if let module = value as? Module {
                result.append((name, module))
            } else if let modules = value as? [Module] {
                for (i, module) in modules.enumerated() { result.append(("\(name).\(i)", module)) }
            }
        }
        return result
    }

    /// This module ("") and every submodule below it, each once, with dotted names.
    public func namedModules() -> [(String, Module)] {
        var seen: Set<ObjectIdentifier> = []
        var result: [(String, Module)] = []
        func visit(_ prefix: String, _ module: Module) {
            // Each module once, so shared submodules and reference cycles end the walk.
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((prefix, module))
            for (name, child) in module.children() { visit(Module.join(prefix, name), child) }
        }
        visit("", self)
        return result
    }

    /// This module and every submodule below it.
    public func modules() -> [Module] { namedModules().map(\.1) }

    /// Every parameter with its dotted name (`fc1.weight`), each tensor once.
    public func namedParameters() -> [(String, Tensor)] {
        var seen: Set<ObjectIdentifier> = []
        return namedTensors(.parameter).filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    }

    /// Every parameter, each once: what an optimizer takes.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// Every buffer with its dotted name (`bn.running_mean`).
    public func namedBuffers() -> [(String, Tensor)] { namedTensors(.buffer) }

    /// Every buffer.
    public func buffers() -> [Tensor] { namedBuffers().map(\.1) }

    /// Sets training mode on this module and every submodule, as PyTorch's `train(mode)`.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for (_, module) in namedModules() { module.isTraining = mode }
        return self
    }

    /// Sets evaluation mode on this module and every submodule (`train(false)`).
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Drops every parameter's gradient (sets it to nil, as PyTorch's `set_to_none`).
    public func zeroGrad() {
        for p in parameters() { p.grad = nil }
    }

    // MARK: Reflection

    /// Stored properties of this object's class and its superclasses below `Module`, with
    /// property-wrapper storage (`_weight`) named after the property (`weight`).
    private func reflectedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror, m.subjectType != Module.self {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        return mirrors.reversed().flatMap { m in
            m.children.compactMap { child -> (String, Any)? in
                guard var label = child.label else { return nil }
                // Only wrapper storage is renamed; a property spelled `_cache` keeps its name.
                if child.value is ModuleTensorSlot, label.hasPrefix("_") { label.removeFirst() }
                return (label, child.value)
            }
        }
    }

    /// This module's own `@Parameter` and `@Buffer` wrappers, with their keys.
    func ownSlots() -> [(key: String, slot: ModuleTensorSlot)] {
        reflectedProperties().compactMap { label, value in
            guard let slot = value as? ModuleTensorSlot else { return nil }
            return (slot.slotKey ?? Module.snakeCase(label), slot)
        }
    }

    /// This module's own wrapped tensors of one kind, with their keys; unset optionals are left out.
    func ownTensors(_ kind: ModuleTensorKind) -> [(key: String, tensor: Tensor, persistent: Bool)] {
        ownSlots().compactMap { key, slot in
            guard slot.slotKind == kind, let tensor = slot.slotTensor else { return nil }
            return (key, tensor, slot.slotPersistent)
        }
    }

    /// Wrapped tensors of one kind over the whole tree, with dotted names.
    func namedTensors(_ kind: ModuleTensorKind, persistentOnly: Bool = false) -> [(String, Tensor)] {
        namedModules().flatMap { prefix, module in
            module.ownTensors(kind).filter { !persistentOnly || $0.persistent }.map { (Module.join(prefix, $0.key), $0.tensor) }
        }
    }

    static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    /// Swift's camelCase as PyTorch's snake_case: `runningMean` → `running_mean`,
    /// `URLPath` → `url_path`, `fc1` → `fc1`.
    static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, ch) in chars.enumerated() {
            if ch.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                // A word starts after a lowercase letter or digit, or where an acronym ends.
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("_") }
            }
            out += ch.lowercased()
        }
        return out
    }
}
