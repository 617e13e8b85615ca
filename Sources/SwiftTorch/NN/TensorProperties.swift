import SwiftTorchCore

/// What `@Parameter` and `@Buffer` can hold: a `Tensor`, or `Tensor?` for an optional
/// one (a `Linear` without bias), which is then absent from `namedParameters()` and
/// `stateDict()`, as PyTorch's `register_parameter(name, None)`.
public protocol ModuleTensorValue {
    /// The tensor held, if any.
    var moduleTensor: Tensor? { get }
    /// The value holding `tensor`.
    static func holding(_ tensor: Tensor) -> Self
}

extension Tensor: ModuleTensorValue {
    /// The tensor itself.
    public var moduleTensor: Tensor? { self }
    /// `tensor` itself.
    public static func holding(_ tensor: Tensor) -> Self {
        // `Tensor` is final, so `Self` is `Tensor`; the cast only satisfies the type checker.
        tensor as! Self
    }
}

extension Optional: ModuleTensorValue where Wrapped == Tensor {
    /// The wrapped tensor, or nil.
    public var moduleTensor: Tensor? { self }
    /// `.some(tensor)`.
    public static func holding(_ tensor: Tensor) -> Self { .some(tensor) }
}

/// A trainable tensor of a ``Module``, as PyTorch's `nn.Parameter`: found by reflection,
/// listed by `namedParameters()`, saved by `stateDict()`, and always a leaf that requires
/// grad (a tensor computed by recorded operations is detached when assigned).
///
/// The key is the property's name in snake_case (`inProj` → `in_proj`), PyTorch's spelling.
/// To choose another, pass `key:` with the initial value at the declaration (Swift allows
/// wrapper arguments only there), or spell the property as the key (`ln_1`).
///
/// The wrapper is a class so that reflection finds the one wrapper a module holds:
/// `Mirror` hands out copies of structs, but references to objects.
@propertyWrapper
public final class Parameter<Value: ModuleTensorValue> {
    /// The state-dict key, or nil for the property's name in snake_case.
    public let key: String?

    /// The parameter tensor.
    public var wrappedValue: Value {
        didSet { wrappedValue = Parameter.asParameter(wrappedValue) }
    }

    /// Wraps `wrappedValue`, making it a leaf that requires grad.
    public init(wrappedValue: Value, key: String? = nil) {
        self.key = key
        self.wrappedValue = Parameter.asParameter(wrappedValue)
    }

    private static func asParameter(_ value: Value) -> Value {
        guard let t = value.moduleTensor else { return value }
        // A parameter must be a leaf: the optimizer updates it and .grad lands on it.
        let leaf = t.isLeaf ? t : t.detach()
        if leaf.dtype.isFloatingPoint { leaf.requiresGrad = true }
        return .holding(leaf)
    }
}

/// Module state that is saved but not trained, as PyTorch's `register_buffer`: BatchNorm's
/// running statistics, a loss's class weights. Listed by `namedBuffers()` and (when
/// `persistent`) by `stateDict()`, never by `parameters()`.
@propertyWrapper
public final class Buffer<Value: ModuleTensorValue> {
    /// The state-dict key, or nil for the property's name in snake_case.
    public let key: String?
    /// Whether `stateDict()` includes this buffer.
    public let persistent: Bool
    /// The buffer tensor.
    public var wrappedValue: Value

    /// Wraps `wrappedValue` as a buffer.
    public init(wrappedValue: Value, key: String? = nil, persistent: Bool = true) {
        self.key = key
        self.persistent = persistent
        self.wrappedValue = wrappedValue
    }
}

/// Which registry a wrapped tensor belongs to.
enum ModuleTensorKind { case parameter, buffer }

/// What reflection needs from either wrapper, without knowing its generic argument.
protocol ModuleTensorSlot: AnyObject {
    var slotKind: ModuleTensorKind { get }
    var slotKey: String? { get }
    var slotPersistent: Bool { get }
    /// The tensor held.
    var slotTensor: Tensor? { get }
}

extension Parameter: ModuleTensorSlot {
    var slotKind: ModuleTensorKind { .parameter }
    var slotKey: String? { key }
    var slotPersistent: Bool { true }
    var slotTensor: Tensor? { wrappedValue.moduleTensor }
}

extension Buffer: ModuleTensorSlot {
    var slotKind: ModuleTensorKind { .buffer }
    var slotKey: String? { key }
    var slotPersistent: Bool { persistent }
    var slotTensor: Tensor? { wrappedValue.moduleTensor }
}
