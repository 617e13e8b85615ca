import SwiftTorchCore

/// A schema-aware fuzzer over every registered operator. Call `index` of run `seed`
/// exercises operator number `index` (round-robin from a seed-dependent start, so every
/// operator gets calls in any run of registry-size length) with arguments drawn from its
/// schema by `FuzzArguments`. Each call must succeed with sound outputs or throw a
/// ``TorchError`` other than an internal one; anything else is a failure. A crash ends the
/// process, which is why callers can print a call before running it and replay one call
/// from its seed and index.
public struct OperatorFuzzer {
    /// The run's seed: with a call's index, it fixes everything the call does.
    public let seed: UInt64
    /// The backend the calls run on.
    public let backend: String
    /// The operators fuzzed, in name order (stable whatever the declaration order).
    public let operators: [String]
    private let handles: [OperatorHandle]

    /// A fuzzer on `backend` (a name or priority list, as `SWIFTTORCH_BACKEND` takes),
    /// over the operators named in `only` (default: every registered operator) except those
    /// in `skipping`. Changing either changes which operator each index calls.
    public init(seed: UInt64, backend: String = "reference", only: [String]? = nil, skipping: [String] = []) throws {
        _ = try Runtime.resolvePriority(backend)
        var handles = Runtime.registry.operators.sorted { $0.name < $1.name }
        let unknown = ((only ?? []) + skipping).filter { name in !handles.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw TorchError(.unknownOperator, "fuzz: no operator named \(unknown.joined(separator: ", "))")
        }
        if let only { handles = handles.filter { only.contains($0.name) } }
        handles = handles.filter { !skipping.contains($0.name) }
        guard !handles.isEmpty else { throw TorchError(.invalidArgument, "fuzz: no operator left to call") }
        self.seed = seed
        self.backend = backend
        self.handles = handles
        self.operators = handles.map(\.name)
    }

    /// Draws call `index`: its operator, its arguments (tensors made on `backend`), and its
    /// modes. Throws only if making the arguments fails, which is itself a finding.
    public func plan(_ index: Int) throws -> FuzzCall {
        var rng = FuzzRandom(seed: seed, index: index)
        let handle = handles[(index + Int(seed % UInt64(handles.count))) % handles.count]
        return try Runtime.withBackend(backend) {
            var generator = FuzzArguments(handle.schema, &rng)
            let (positional, keywords) = try generator.draw(&rng)
            let withGradient = rng.chance(0.15)
            let intoDestination = rng.chance(0.1)
            if withGradient {
                for t in (positional + keywords.map(\.1)).flatMap(FuzzArguments.tensors) where t.dtype.isFloatingPoint && t.isLeaf {
                    t.requiresGrad = true
                }
            }
            return FuzzCall(seed: seed, index: index, backend: backend, handle: handle, positional: positional, keywords: keywords,
                            withGradient: withGradient, intoDestination: intoDestination, followUp: rng)
        }
    }

    /// Runs `call` and judges it.
    public func run(_ call: FuzzCall) -> FuzzOutcome {
        do {
            return try Runtime.withBackend(backend) {
                var rng = call.followUp
                let dispatcher = try Runtime.dispatcher()
                let outputs = try GradMode.withGradEnabled(call.withGradient) {
                    try dispatcher.call(call.handle, call.positional, call.keywords)
                }
                if let problem = FuzzOutputCheck.problem(in: outputs, of: call.op) { return .failed(problem) }
                guard let first = outputs.first else { return .succeeded }
                // A huge broadcast view is a valid output; summing it for backward is slow, not wrong.
                if call.withGradient, first.requiresGrad, FuzzDestination.isSmall(first.shape) {
                    try first.sum().backward()
                }
                if call.intoDestination {
                    let destination = try FuzzDestination.make(like: first, &rng)
                    _ = try dispatcher.call(Op.copy_, [.tensor(destination), .tensor(first)])
                    if let problem = FuzzOutputCheck.problem(destination, "copy_ destination") { return .failed(problem) }
                    FuzzOutputCheck.touch(destination)
                }
                return .succeeded
            }
        } catch let error as TorchError where error.message.contains("internal:") {
            // By the library's convention an "internal:" error is a kernel refusing what its
            // meta rule accepted: the layers disagree, which is a bug, not bad input.
            return .failed("a kernel rejected what the meta rule accepted: \(error.message)")
        } catch let error as TorchError {
            return .threw(error)
        } catch {
            return .failed("threw \(type(of: error)), not a TorchError: \(error)")
        }
    }

    /// Plans and runs calls `indices`; `planning` sees each index before its arguments are
    /// made, `before` each call before it runs (print it there: if the call crashes, it is
    /// the last line), `after` its outcome.
    public func run(_ indices: Range<Int>, planning: (Int) -> Void = { _ in }, before: (FuzzCall) -> Void = { _ in },
                    after: (FuzzCall, FuzzOutcome) -> Void = { _, _ in }) -> FuzzReport {
        var report = FuzzReport(seed: seed, backend: backend)
        for index in indices {
            planning(index)
            let call: FuzzCall
            do {
                call = try plan(index)
            } catch {
                report.record(planFailure: "\(error)", seed: seed, index: index, backend: backend)
                continue
            }
            before(call)
            let outcome = run(call)
            after(call, outcome)
            report.record(call, outcome)
        }
        return report
    }
}

/// Where an `out=`-style write lands: a tensor of the output's shape (mostly) and dtype
/// (often) in any layout, including expanded and overlapping ones that a write must refuse
/// or handle. An output too large to copy cheaply (a broadcast view of 2^40 elements, or an
/// empty [0, Int.max], are valid results) gets a small destination, which the copy must refuse.
enum FuzzDestination {
    static func make(like output: Tensor, _ rng: inout FuzzRandom) throws -> Tensor {
        let shape = isSmall(output.shape) && rng.chance(0.8) ? output.shape : FuzzShapes.shape(rank: rng.int(0...3), pool: [0, 1, 2, 3], &rng)
        let dtype = rng.chance(0.6) ? output.dtype : rng.pick(DType.allCases)
        return try FuzzTensors.make(shape, dtype, rng.pick(FuzzLayout.allCases), .values, &rng)
    }

    /// Whether every dim and the element count of `shape` are within the read limit.
    static func isSmall(_ shape: [Int]) -> Bool {
        let limit = FuzzOutputCheck.readLimit
        return shape.allSatisfy { $0 <= limit } && shape.reduce(1) { Swift.min($0 * $1, limit + 1) } <= limit
    }
}

extension FuzzArguments {
    /// The tensors in an argument value.
    static func tensors(_ value: ArgumentValue) -> [Tensor] {
        switch value {
        case .tensor(let t): [t]
        case .tensorList(let ts): ts
        default: []
        }
    }
}
