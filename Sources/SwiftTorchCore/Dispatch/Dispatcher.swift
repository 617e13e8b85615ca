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
    /// The operators and kernels calls are routed to.
    public let registry: OperatorRegistry
    /// The environment's settings, read once.
    public let settings: DispatchSettings
    /// The process-wide backend list, or why the user's request could not be honoured.
    public var configuredPriority: Result<BackendPriority, TorchError> {
        if let configured { return .success(configured) }
        return .failure(configurationError!)
    }
    // `configuredPriority` kept apart, so that every call's read of it copies no `Result`.
    private let configured: BackendPriority?
    private let configurationError: TorchError?
    /// CPU backends when nothing else is asked for, best first.
    public let defaultCPUChain: [String]

    /// A dispatcher over `registry`; a backend request it cannot honour is kept as the error
    /// every call then throws.
    public init(registry: OperatorRegistry, settings: DispatchSettings, knownBackendNames: [String],
                preferredCPUOrder: [String], notice: (String) -> Void = { _ in }) {
        self.registry = registry
        self.settings = settings
        do {
            self.configured = try BackendPriority.resolve(settings.backendRequest, backends: registry.backends,
                                                          knownNames: knownBackendNames, preferredCPUOrder: preferredCPUOrder,
                                                          notice: notice)
            self.configurationError = nil
        } catch {
            self.configured = nil
            self.configurationError = (error as? TorchError) ?? TorchError(.unknownBackend, "\(error)")
        }
        self.defaultCPUChain = preferredCPUOrder.filter { registry.backendDescriptor(named: $0)?.availability.isAvailable == true }
    }

    /// The backend list in force here: a task-local choice, else the configured one.
    public func priority() throws -> BackendPriority { try priority(in: DispatchScope.stored) }

    @inline(__always)
    private func priority(in scope: DispatchScope?) throws -> BackendPriority {
        if let scoped = scope?.priority { return scoped }
        if let configured { return configured }
        throw configurationError!
    }

    /// Whether a backend without a kernel is an error here: a task-local override, else
    /// `SWIFTTORCH_FALLBACK`.
    public var fallbackIsError: Bool { DispatchScope.current.fallbackIsError ?? settings.fallbackIsError }

    @inline(__always)
    private func fallbackIsStrict(for op: OperatorHandle, in scope: DispatchScope?) -> Bool {
        guard scope?.fallbackIsError ?? settings.fallbackIsError else { return false }
        return scope?.strictOperator.map { $0 == op.name } ?? true
    }

    // MARK: Calling

    /// Calls operator `op` with arguments already bound to its schema.
    @inline(__always)
    public func call(_ op: OperatorHandle, _ arguments: consuming Arguments) throws -> [Tensor] {
        if let derivative = recordedDerivative(op, arguments) {
            return try callRecordingGradient(op, arguments, derivative: derivative)
        }
        return try callBelowAutograd(op, arguments)
    }

    /// The derivative to record for this call, or nil when the call runs below autograd.
    /// Cheapest test first: most calls have no derivative or no input that wants one.
    @inline(__always)
    private func recordedDerivative(_ op: OperatorHandle, _ arguments: Arguments) -> Derivative? {
        guard op.isDifferentiable, arguments.anyRequiresGrad, GradMode.isEnabled else { return nil }
        return op.definition.derivative
    }

    /// Binds `positional` and `keywords` to `op`'s schema, then calls it. The typed Swift API
    /// passes values by position, which binds without any lookup by name.
    @inline(__always)
    public func call(_ op: OperatorHandle, _ positional: consuming [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> [Tensor] {
        try call(op, op.schema.bind(positional, keywords))
    }

    /// Calls `op` with a value for every argument in declaration order (see
    /// ``OperatorSchema/bind(slots:)``).
    @inline(__always)
    public func call(_ op: OperatorHandle, slots: consuming [ArgumentValue]) throws -> [Tensor] {
        try call(op, op.schema.bind(slots: slots))
    }

    /// ``call(_:_:)`` for the typed API, which wants the first output only: an operator with
    /// one output then returns it without building an array.
    @inline(__always)
    public func callFirst(_ op: OperatorHandle, _ arguments: consuming Arguments) throws -> Tensor {
        if let derivative = recordedDerivative(op, arguments) {
            return try callRecordingGradient(op, arguments, derivative: derivative)[0]
        }
        return try run(op, arguments).first
    }

    /// ``callFirst(_:_:)`` with a value for every argument in declaration order.
    @inline(__always)
    public func callFirst(_ op: OperatorHandle, slots: consuming [ArgumentValue]) throws -> Tensor {
        try callFirst(op, op.schema.bind(slots: slots))
    }

    /// ``callFirst(_:_:)`` with values by position and keyword.
    @inline(__always)
    public func callFirst(_ op: OperatorHandle, _ positional: consuming [ArgumentValue], _ keywords: [(String, ArgumentValue)] = []) throws -> Tensor {
        try callFirst(op, op.schema.bind(positional, keywords))
    }

    /// Runs the operator without recording: a composite implementation, or meta + kernel.
    public func callBelowAutograd(_ op: OperatorHandle, _ arguments: consuming Arguments) throws -> [Tensor] {
        try run(op, arguments).array
    }

    /// ``callBelowAutograd(_:_:)``, its outputs as the kernel filled them.
    private func run(_ op: OperatorHandle, _ arguments: consuming Arguments) throws -> KernelOutputs {
        if let composite = op.definition.composite {
            let inputs = arguments.tensors
            // A composite may hand back an input unchanged; give the caller its own object
            // so that autograd never rewrites the input's history.
            return .many(try composite(arguments).map { out in
                inputs.contains { $0 === out } ? Tensor(uncheckedViewOf: out, shape: out.shape, strides: out.strides, offset: out.offset) : out
            })
        }
        var bound = consume arguments
        let device = try commonDevice(op, bound)
        if !device.isCPU, requestedDevice(bound) == nil { try moveHostScalars(&bound, to: device) }
        let specs = try op.definition.meta!(&bound)
        // Meta rules wrap the numbers they read; kernels only ever see tensors.
        bound.wrapNumbers()
        let (backend, kernel) = try selectKernel(op, bound, specs: specs, device: device)
        let outputs: KernelOutputs
        switch specs {
        case .one(let spec): outputs = .one(try allocateOutput(spec, for: bound, backend: backend, device: device))
        case .many(let specs): outputs = .many(try specs.map { try allocateOutput($0, for: bound, backend: backend, device: device) })
        }
        // The call takes the arguments over (no second reference to retain and release).
        let call = KernelCall(arguments: consume bound, outputList: outputs)
        if settings.trace != .off {
            let clock = ContinuousClock()
            let start = clock.now
            try kernel(call)
            let elapsed = clock.now - start
            trace(op, call.arguments, backend: backend.name, elapsed: elapsed)
        } else {
            try kernel(call)
        }
        // PyTorch's convention: a trailing underscore marks an operator that writes `self`.
        if op.schema.isInPlace, case .tensor(let written) = call.arguments.values[0] { written.storage.bumpVersion() }
        if let checker = settings.crossCheck, backend.name != checker.backend {
            try checker.verify(op, call.arguments, outputs.array, backend.name)
        }
        return outputs
    }

    // MARK: Selection

    /// The device the call computes on. CPU scalars (Swift numbers, 0-d CPU tensors) go
    /// along with tensors on another device, as in PyTorch. A call with a `device` argument
    /// that differs from its tensors' (a transfer) runs on the non-CPU side, whose backend
    /// knows how to reach both memories.
    private func commonDevice(_ op: OperatorHandle, _ arguments: Arguments) throws -> Device {
        // One pass, no lists: the first tensor that is not a CPU scalar decides, and every
        // other such tensor must agree.
        var significant: Device?, placed: Device?, conflict: Device?
        arguments.forEachTensor { t in
            if t.isWrappedNumber { return }
            let device = t.device
            if placed == nil { placed = device }
            if t.rank == 0 && device.isCPU { return }
            guard let first = significant else { significant = device; return }
            if device != first, conflict == nil { conflict = device }
        }
        if let conflict, let first = significant {
            throw TorchError(.deviceMismatch, "\(op.name): expected all tensors on one device, found \(first) and \(conflict); move one with .to(_:)")
        }
        // A call on Swift numbers alone (casting one for promotion) stays where they are.
        var tensorDevice = significant ?? placed
        if tensorDevice == nil { arguments.forEachTensor { t in if tensorDevice == nil { tensorDevice = t.device } } }
        switch (tensorDevice, requestedDevice(arguments)) {
        case (let d?, let r?) where d != r: return d.isCPU ? r : d
        case (let d?, _): return d
        case (nil, let r?): return r
        case (nil, nil): return try priority().defaultDevice
        }
    }

    /// The call's `device` argument, when its schema has one and it was given.
    @inline(__always)
    private func requestedDevice(_ arguments: Arguments) -> Device? {
        guard let slot = arguments.schema.deviceSlot, case .device(let d) = arguments.values[slot] else { return nil }
        return d
    }

    /// Copies CPU scalars to `device`, so that a device kernel only ever sees device memory.
    private func moveHostScalars(_ arguments: inout Arguments, to device: Device) throws {
        guard let toCopy = registry.operator(named: "_to_copy") else { return }
        arguments.wrapNumbers()
        func moved(_ t: Tensor) throws -> Tensor {
            guard t.device.isCPU, t.rank == 0 else { return t }
            let copy = try callBelowAutograd(toCopy, toCopy.schema.bind([.tensor(t)], [("device", .device(device))]))[0]
            return Tensor(uncheckedStorage: copy.storage, shape: [], strides: [], offset: 0, dtype: copy.dtype, isWrappedNumber: t.isWrappedNumber)
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
    private func allocateOutput(_ spec: TensorSpec, for arguments: Arguments, backend: BackendDescriptor, device: Device) throws -> Tensor {
        // Meta rules compute output shapes from user sizes; this is where they become bytes.
        let bytes = try ShapeArithmetic.byteCount(arguments.schema.name, spec.shape, spec.dtype)
        let target = spec.device ?? device
        let storage: Storage
        do {
            storage = target.isCPU && (!device.isCPU || backend.allocatesHostMemory)
                ? try Storage.cpu(byteCount: bytes, zeroed: false) : try backend.allocate(bytes, target)
        } catch let error as TorchError {
            throw error.raised(by: arguments.schema.name)
        }
        return Tensor(uncheckedStorage: storage, shape: spec.shape, strides: contiguousStrides(for: spec.shape, like: arguments),
                      offset: 0, dtype: spec.dtype)
    }

    /// Row-major strides for `shape`, shared with a contiguous input of that shape when there
    /// is one (the elementwise case), so the output costs no stride array of its own.
    @inline(__always)
    private func contiguousStrides(for shape: [Int], like arguments: Arguments) -> [Int] {
        var shared: [Int]?
        arguments.forEachTensor { t in
            if shared == nil, t.shape == shape, Tensor.isRowMajor(t.shape, t.strides) { shared = t.strides }
        }
        return shared ?? Tensor.contiguousStrides(for: shape)
    }

    private func selectKernel(_ op: OperatorHandle, _ arguments: Arguments, specs: OutputSpecs,
                              device: Device) throws -> (BackendDescriptor, Kernel) {
        // The dtype a kernel computes in is `self`'s after meta (where's condition is bool,
        // an index is int64); operators without `self` use their first tensor.
        var computeDType: DType?
        if let slot = arguments.schema.selfSlot {
            arguments.values.withUnsafeBufferPointer { values in
                if case .tensor(let t) = values[slot] { computeDType = t.dtype }
            }
        }
        if computeDType == nil { arguments.forEachTensor { t in if computeDType == nil, !t.isWrappedNumber { computeDType = t.dtype } } }
        let dtype = computeDType ?? specs.first?.dtype ?? .float32
        // One read of the task's overrides serves both settings.
        let scope = DispatchScope.stored
        guard let priorityID = scope?.priority?.id ?? configured?.id else { throw configurationError! }
        let strict = fallbackIsStrict(for: op, in: scope)
        // The choice depends only on these, so it is worked out once per combination and
        // then read without a lock.
        let key = KernelChoiceKey(dtype: dtype, device: device, priority: priorityID, strict: strict)
        let generation = registry.generation
        if let hit = op.cachedChoice(key, generation: generation) { return hit }
        let priority = try priority(in: scope)
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
        if priority.isDefaultChain {
            // A backend that defers this operator goes after the others (stable order).
            let defers = { (name: String) in self.registry.backendDescriptor(named: name)?.defersInDefaultChain.contains(op.name) == true }
            candidates = candidates.filter { !defers($0) } + candidates.filter(defers)
        }
        let tried = strict ? Array(candidates.prefix(1)) : candidates
        for name in tried {
            if let kernel = op.kernel(backend: name, dtype: dtype), let backend = registry.backendDescriptor(named: name) {
                op.remember(KernelChoice(key: key, backend: backend, kernel: kernel), generation: generation)
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
