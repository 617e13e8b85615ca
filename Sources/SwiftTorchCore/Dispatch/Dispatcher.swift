import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Routes every operator call: binds arguments to the schema, records autograd, checks the
/// call with the operator's meta function, picks a backend by device and priority, allocates
/// outputs and runs the kernel.
public final class Dispatcher: Sendable {
    public let registry: OperatorRegistry
    public let settings: DispatchSettings
    /// The process-wide backend list, or why the user's request could not be honoured.
    public let configuredPriority: Result<BackendPriority, TorchError>
    /// CPU backends when nothing else is asked for, best first.
    public let defaultCPUChain: [String]

    public init(registry: OperatorRegistry, settings: DispatchSettings, knownBackendNames: [String],
                preferredCPUOrder: [String], notice: (String) -> Void = { _ in }) {
        self.registry = registry
        self.settings = settings
        self.configuredPriority = Result {
            try BackendPriority.resolve(settings.backendRequest, backends: registry.backends,
                                        knownNames: knownBackendNames, preferredCPUOrder: preferredCPUOrder,
                                        notice: notice)
        }.mapError { $0 as! TorchError }
        self.defaultCPUChain = preferredCPUOrder.filter { registry.backendDescriptor(named: $0)?.availability.isAvailable == true }
    }

    /// What a kernel choice depends on.
    private struct SelectionKey: Hashable {
        let op: ObjectIdentifier
        let dtype: DType
        let device: Device
        let priority: [String]
        let strict: Bool
    }
    /// Kernel choices made so far, valid for one registry generation.
    private let selectionCache = Mutex<(generation: Int, entries: [SelectionKey: (BackendDescriptor, Kernel)])>((-1, [:]))

    /// Overrides `SWIFTTORCH_FALLBACK` for a block of code (tests of a backend's own coverage).
    @TaskLocal public static var scopedFallbackIsError: Bool?

    /// The backend list in force here: a task-local choice, else the configured one.
    public func priority() throws -> BackendPriority {
        if let scoped = BackendPriority.scoped { return scoped }
        return try configuredPriority.get()
    }

    public var fallbackIsError: Bool { Dispatcher.scopedFallbackIsError ?? settings.fallbackIsError }

    /// Limits `SWIFTTORCH_FALLBACK=error` to one operator: the conformance runner checks the
    /// operator under test on its backend while the operators it uses inside (casts in meta
    /// rules, gradient formulas, composites) may still fall through.
    @TaskLocal public static var strictOperator: String?

    private func fallbackIsError(for op: OperatorHandle) -> Bool {
        guard fallbackIsError else { return false }
        return Dispatcher.strictOperator.map { $0 == op.name } ?? true
    }

    // MARK: Calling

    /// Calls operator `op` with arguments already bound to its schema.
    public func call(_ op: OperatorHandle, _ arguments: Arguments) throws -> [Tensor] {
        // Cheapest test first: most calls have no derivative or no input that wants one.
        if let derivative = op.definition.derivative, arguments.tensors.contains(where: { $0.requiresGrad }),
           GradMode.isEnabled {
            return try callRecordingGradient(op, arguments, derivative: derivative)
        }
        return try callBelowAutograd(op, arguments)
    }

    /// Binds `positional` and `keywords` to `op`'s schema, then calls it.
    public func call(_ op: OperatorHandle, _ positional: [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> [Tensor] {
        try call(op, op.schema.bind(positional, keywords))
    }

    /// Runs the operator without recording: a composite implementation, or meta + kernel.
    public func callBelowAutograd(_ op: OperatorHandle, _ arguments: Arguments) throws -> [Tensor] {
        let definition = op.definition
        if let composite = definition.composite {
            let inputs = arguments.tensors
            // A composite may hand back an input unchanged; give the caller its own object
            // so that autograd never rewrites the input's history.
            return try composite(arguments).map { out in
                inputs.contains { $0 === out } ? Tensor(viewOf: out, shape: out.shape, strides: out.strides, offset: out.offset) : out
            }
        }
        var bound = arguments
        let device = try commonDevice(op, bound)
        if !device.isCPU, requestedDevice(bound) == nil { try moveHostScalars(&bound, to: device) }
        let specs = try definition.meta!(&bound)
        let (backend, kernel) = try selectKernel(op, bound, specs: specs, device: device)
        let outputs = try specs.map { try allocateOutput($0, backend: backend, device: device) }
        let call = KernelCall(arguments: bound, outputs: outputs)
        if settings.trace != .off {
            let clock = ContinuousClock()
            let start = clock.now
            try kernel(call)
            let elapsed = clock.now - start
            trace(op, bound, backend: backend.name, elapsed: elapsed)
        } else {
            try kernel(call)
        }
        // PyTorch's convention: a trailing underscore marks an operator that writes `self`.
        if op.schema.isInPlace, case .tensor(let written) = bound.values[0] { written.storage.bumpVersion() }
        if let checker = settings.crossCheck, backend.name != checker.backend {
            try checker.verify(op, bound, outputs, backend.name)
        }
        return outputs
    }

    // MARK: Selection

    /// The device the call computes on. CPU scalars (Swift numbers, 0-d CPU tensors) go
    /// along with tensors on another device, as in PyTorch. A call with a `device` argument
    /// that differs from its tensors' (a transfer) runs on the non-CPU side, whose backend
    /// knows how to reach both memories.
    private func commonDevice(_ op: OperatorHandle, _ arguments: Arguments) throws -> Device {
        let placed = arguments.tensors.filter { !$0.isWrappedNumber }
        let significant = placed.filter { !($0.rank == 0 && $0.device.isCPU) }
        // A call on Swift numbers alone (casting one for promotion) stays where they are.
        let tensorDevice = (significant.first ?? placed.first ?? arguments.tensors.first)?.device
        for t in significant where t.device != tensorDevice {
            throw TorchError(.deviceMismatch, "\(op.name): expected all tensors on one device, found \(tensorDevice!) and \(t.device); move one with .to(_:)")
        }
        switch (tensorDevice, requestedDevice(arguments)) {
        case (let d?, let r?) where d != r: return d.isCPU ? r : d
        case (let d?, _): return d
        case (nil, let r?): return r
        case (nil, nil): return try priority().defaultDevice
        }
    }

    /// The call's `device` argument, when its schema has one and it was given.
    private func requestedDevice(_ arguments: Arguments) -> Device? {
        arguments.schema.hasDeviceArgument ? arguments.optionalDevice("device") : nil
    }

    /// Copies CPU scalars to `device`, so that a device kernel only ever sees device memory.
    private func moveHostScalars(_ arguments: inout Arguments, to device: Device) throws {
        guard let toCopy = registry.operator(named: "_to_copy") else { return }
        func moved(_ t: Tensor) throws -> Tensor {
            guard t.device.isCPU, t.rank == 0 else { return t }
            let copy = try callBelowAutograd(toCopy, toCopy.schema.bind([.tensor(t)], [("device", .device(device))]))[0]
            return Tensor(storage: copy.storage, shape: [], strides: [], offset: 0, dtype: copy.dtype, isWrappedNumber: t.isWrappedNumber)
        }
        arguments.values = try arguments.values.map { value in
            switch value {
            case .tensor(let t): .tensor(try moved(t))
            case .tensorList(let ts): .tensorList(try ts.map(moved))
            default: value
            }
        }
    }

    /// A contiguous output. It lives on the call's device unless its spec names another: a
    /// transfer to the host runs on the device's backend but writes host memory.
    private func allocateOutput(_ spec: TensorSpec, backend: BackendDescriptor, device: Device) throws -> Tensor {
        let bytes = spec.shape.reduce(1, *) * spec.dtype.itemSize
        let target = spec.device ?? device
        let storage = target.isCPU && !device.isCPU ? Storage.cpu(byteCount: bytes, zeroed: false) : try backend.allocate(bytes, target)
        return Tensor(storage: storage, shape: spec.shape, strides: Tensor.contiguousStrides(for: spec.shape), offset: 0, dtype: spec.dtype)
    }

    private func selectKernel(_ op: OperatorHandle, _ arguments: Arguments, specs: [TensorSpec],
                              device: Device) throws -> (BackendDescriptor, Kernel) {
        // The dtype a kernel computes in is `self`'s after meta (where's condition is bool,
        // an index is int64); operators without `self` use their first tensor.
        let computeTensor = (arguments.schema.hasSelfArgument ? arguments.optionalTensor("self") : nil)
            ?? arguments.tensors.first(where: { !$0.isWrappedNumber })
        let dtype = computeTensor?.dtype ?? specs.first?.dtype ?? .float32
        let priority = try priority()
        let strict = fallbackIsError(for: op)
        // The choice depends only on these, so it is worked out once per combination.
        let key = SelectionKey(op: ObjectIdentifier(op), dtype: dtype, device: device, priority: priority.names, strict: strict)
        let generation = registry.generation
        if let hit = selectionCache.withLock({ $0.generation == generation ? $0.entries[key] : nil }) { return hit }
        var candidates = priority.names.filter { registry.backendDescriptor(named: $0)?.serves(device) == true }
        if device.isCPU {
            // The named backends come first; the rest of the default CPU chain follows, so
            // `SWIFTTORCH_BACKEND=blas` still runs every operator.
            candidates += defaultCPUChain.filter { !candidates.contains($0) }
        } else if candidates.isEmpty {
            candidates = registry.backends.filter { $0.serves(device) && $0.availability.isAvailable }.map(\.name)
            if candidates.isEmpty {
                let reasons = registry.backends.filter { $0.serves(device) }.map { b -> String in
                    if case .unavailable(let why) = b.availability { return "\(b.name): \(why)" }
                    return b.name
                }
                throw TorchError(.backendUnavailable, "\(op.name): no available backend computes on \(device)\(reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")")")
            }
        }
        let tried = strict ? Array(candidates.prefix(1)) : candidates
        for name in tried {
            if let kernel = op.kernel(backend: name, dtype: dtype), let backend = registry.backendDescriptor(named: name) {
                selectionCache.withLock { cache in
                    if cache.generation != generation { cache = (generation, [:]) }
                    cache.entries[key] = (backend, kernel)
                }
                return (backend, kernel)
            }
        }
        // A device backend without this kernel may hand the call to the CPU (with copies) if
        // the user asked for that.
        if !device.isCPU, let fallback = settings.deviceFallback {
            for name in candidates {
                if let backend = registry.backendDescriptor(named: name), let kernel = fallback(op, backend) { return (backend, kernel) }
            }
        }
        let implementers = op.kernels.map { e in
            e.backend + (e.dtypes.map { " (" + $0.map(\.rawValue).sorted().joined(separator: ", ") + ")" } ?? "")
        }
        let dtypes = describe(tensors: arguments.tensors)
        throw TorchError(.noKernel, """
            \(op.name): no kernel for dtype \(dtype) on device \(device) among backends [\(tried.joined(separator: ", "))]\
            \(strict ? " (SWIFTTORCH_FALLBACK=error)" : ""); inputs: \(dtypes.isEmpty ? "none" : dtypes); \
            kernels exist in: \(implementers.isEmpty ? "no backend" : implementers.joined(separator: ", "))\
            \(device.isCPU ? "" : "; set SWIFTTORCH_\((tried.first ?? "cuda").uppercased())_FALLBACK=cpu to run it on the CPU with copies")
            """)
    }
}
