import Synchronization

/// An operator's entry in the registry: its definition and the kernels backends registered
/// for it. Front-end code holds handles, so a call costs no name lookup.
public final class OperatorHandle: Sendable {
    /// The operator's declaration.
    public let definition: OperatorDefinition
    private let kernelTable = Mutex<[KernelEntry]>([])
    /// Kernel choices already made for this operator, read on every call without a lock.
    /// A new choice publishes a new, larger table; old tables stay alive (in `retired`)
    /// because a reader on another thread may still hold one. Their number is bounded by
    /// the combinations of dtype, device and backend list a program uses.
    private let choices = Atomic<Unmanaged<KernelChoiceTable>?>(nil)
    private let retired = Mutex<[KernelChoiceTable]>([])

    /// Whether the operator has a derivative, kept apart from `definition` so that every
    /// call's test of it copies no `Derivative` (a closure and a set to retain and release).
    public let isDifferentiable: Bool

    init(definition: OperatorDefinition) {
        self.definition = definition
        self.isDifferentiable = definition.derivative != nil
    }

    /// The cached choice for `key` made in registry generation `generation`, if any.
    @inline(__always)
    public func cachedChoice(_ key: KernelChoiceKey, generation: Int) -> (backend: BackendDescriptor, kernel: Kernel)? {
        guard let table = choices.load(ordering: .acquiring)?.takeUnretainedValue(), table.generation == generation else {
            return nil
        }
        // Indexing lends each entry; only the hit's two references are retained.
        return table.entries.withUnsafeBufferPointer { entries in
            for i in entries.indices where entries[i].key == key { return (entries[i].backend, entries[i].kernel) }
            return nil
        }
    }

    /// Publishes `choice` for later calls of the same key.
    public func remember(_ choice: KernelChoice, generation: Int) {
        retired.withLock { old in
            let current = choices.load(ordering: .acquiring)?.takeUnretainedValue()
            let kept = current.map { $0.generation == generation ? $0.entries : [] } ?? []
            let table = KernelChoiceTable(generation: generation, entries: kept.filter { $0.key != choice.key } + [choice])
            old.append(table)  // owns the table; the atomic holds it unretained
            choices.store(Unmanaged.passUnretained(table), ordering: .releasing)
        }
    }

    /// The operator's name.
    public var name: String { definition.name }
    /// The operator's signature.
    public var schema: OperatorSchema { definition.schema }

    /// Kernels in registration order.
    public var kernels: [KernelEntry] { kernelTable.withLock { $0 } }

    /// The kernel `backend` registered for `dtype`, if any.
    public func kernel(backend: String, dtype: DType) -> Kernel? {
        kernelTable.withLock { entries in
            entries.last(where: { $0.backend == backend && $0.supports(dtype) })?.kernel
        }
    }

    /// Backends that have their own kernel for this operator (any dtype).
    public var implementingBackends: [String] {
        var seen: [String] = []
        for e in kernels where !seen.contains(e.backend) { seen.append(e.backend) }
        return seen
    }

    func add(_ entry: KernelEntry) { kernelTable.withLock { $0.append(entry) } }
}

/// The one table of operators and backends. Backends register kernels at run time through
/// ``register(kernel:for:backend:dtypes:)``; the reference backend uses exactly this API.
/// Safe to use from several threads: every mutable part sits behind a `Mutex`.
public final class OperatorRegistry: Sendable {
    private struct State {
        var operators: [String: OperatorHandle] = [:]
        var operatorOrder: [String] = []
        var backends: [String: BackendDescriptor] = [:]
        var backendOrder: [String] = []
    }
    private let state = Mutex(State())
    private let generationCounter = Atomic<Int>(0)

    /// An empty registry.
    public init() {}

    /// Changes whenever a backend or kernel is registered, so cached kernel choices can
    /// tell that they are stale.
    public var generation: Int { generationCounter.load(ordering: .acquiring) }

    /// Declares an operator. Declaring a name twice is a programming error.
    @discardableResult
    public func declare(_ definition: OperatorDefinition) -> OperatorHandle {
        state.withLock { s in
            precondition(s.operators[definition.name] == nil, "operator '\(definition.name)' declared twice")
            let handle = OperatorHandle(definition: definition)
            s.operators[definition.name] = handle
            s.operatorOrder.append(definition.name)
            return handle
        }
    }

    /// Adds a backend (or replaces its descriptor, e.g. when a plugin finishes loading).
    public func register(backend: BackendDescriptor) {
        state.withLock { s in
            if s.backends[backend.name] == nil { s.backendOrder.append(backend.name) }
            s.backends[backend.name] = backend
        }
        generationCounter.add(1, ordering: .releasing)
    }

    /// Registers `kernel` as `backend`'s implementation of operator `name`, for `dtypes`
    /// (nil: every dtype). A later registration for the same key wins.
    public func register(kernel: @escaping Kernel, for name: String, backend: String, dtypes: Set<DType>? = nil) throws {
        guard let handle = self.operator(named: name) else {
            throw TorchError(.unknownOperator, "cannot register a '\(backend)' kernel for unknown operator '\(name)'")
        }
        guard backendDescriptor(named: backend) != nil else {
            throw TorchError(.unknownBackend, "cannot register kernel '\(name)' for unregistered backend '\(backend)'")
        }
        if handle.definition.composite != nil {
            throw TorchError(.invalidArgument, "'\(name)' is a composite operator; it takes no kernels")
        }
        handle.add(KernelEntry(backend: backend, dtypes: dtypes, kernel: kernel))
        generationCounter.add(1, ordering: .releasing)
    }

    /// The operator declared as `name`, or nil.
    public func `operator`(named name: String) -> OperatorHandle? { state.withLock { $0.operators[name] } }

    /// Every operator, in declaration order.
    public var operators: [OperatorHandle] { state.withLock { s in s.operatorOrder.map { s.operators[$0]! } } }

    /// The backend registered as `name`, or nil.
    public func backendDescriptor(named name: String) -> BackendDescriptor? { state.withLock { $0.backends[name] } }

    /// Every backend, in registration order.
    public var backends: [BackendDescriptor] { state.withLock { s in s.backendOrder.map { s.backends[$0]! } } }
}

/// What a kernel choice depends on, as small integers and enums: comparing two keys costs
/// a few instructions, never a hash of strings.
public struct KernelChoiceKey: Equatable, Sendable {
    /// The call's dtype.
    public let dtype: DType
    /// The call's device.
    public let device: Device
    /// ``BackendPriority/id`` of the backend list in force.
    public let priority: Int
    /// Whether `SWIFTTORCH_FALLBACK=error` applies to this operator.
    public let strict: Bool
    /// A key from its parts.
    public init(dtype: DType, device: Device, priority: Int, strict: Bool) {
        self.dtype = dtype
        self.device = device
        self.priority = priority
        self.strict = strict
    }
}

/// A backend and its kernel, chosen for one ``KernelChoiceKey``.
public struct KernelChoice: Sendable {
    /// What the choice was made for.
    public let key: KernelChoiceKey
    /// The backend chosen.
    public let backend: BackendDescriptor
    /// Its kernel.
    public let kernel: Kernel
    /// A choice of `backend`'s `kernel` for `key`.
    public init(key: KernelChoiceKey, backend: BackendDescriptor, kernel: @escaping Kernel) {
        self.key = key
        self.backend = backend
        self.kernel = kernel
    }
}

/// An immutable list of choices, valid for one registry generation.
final class KernelChoiceTable: Sendable {
    let generation: Int
    let entries: [KernelChoice]
    init(generation: Int, entries: [KernelChoice]) {
        self.generation = generation
        self.entries = entries
    }
}
