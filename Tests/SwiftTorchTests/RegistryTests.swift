import Foundation
import SwiftTorch
import Synchronization
import Testing

// The registry and the dispatcher's backend choice. Most tests build their own registry and
// dispatcher, so they neither see nor disturb the process's backends; the last suite goes
// through the process's registry as a plugin or a user's backend would.

/// A private registry with one operator, `mark(Tensor self) -> Tensor`, and three CPU
/// backends. Each backend's kernel fills the output with its own tag, so the output says
/// which backend ran.
private struct Bench {
    static let tags = ["alpha": 1.0, "beta": 2.0, "gamma": 3.0]
    let registry = OperatorRegistry()
    let op: OperatorHandle

    init() {
        op = registry.declare(OperatorDefinition("mark(Tensor self) -> Tensor", group: .elementwise, meta: { args in
            let t = args.tensor("self")
            return [TensorSpec(t.shape, t.dtype)]
        }))
        for name in ["alpha", "beta", "gamma"] { registry.register(backend: BackendDescriptor(name: name)) }
    }

    static func kernel(_ tag: Double) -> Kernel {
        { call in call.output.setDoubleValues([Double](repeating: tag, count: call.output.count)) }
    }

    func register(_ backend: String, dtypes: Set<DType>? = nil) throws {
        try registry.register(kernel: Bench.kernel(Bench.tags[backend]!), for: "mark", backend: backend, dtypes: dtypes)
    }

    /// A dispatcher over this registry whose default CPU chain is `chain`.
    func dispatcher(chain: [String] = ["alpha", "beta", "gamma"], fallbackIsError: Bool = false) -> Dispatcher {
        Dispatcher(registry: registry, settings: DispatchSettings(fallbackIsError: fallbackIsError),
                   knownBackendNames: [], preferredCPUOrder: chain)
    }

    /// The tag of the backend that ran `mark` on a float32 (or `dtype`) input.
    func run(_ dispatcher: Dispatcher, dtype: DType = .float32) throws -> Double {
        let x = try Tensor(zerosOnCPU: [2], dtype: dtype)
        return try dispatcher.call(op, [.tensor(x)])[0].doubleValues()[0]
    }
}

@Suite("Kernel registration")
struct KernelRegistrationTests {
    @Test func aKernelRegisteredForABackendRunsWhenThatBackendIsChosen() throws {
        let bench = Bench()
        try bench.register("gamma")
        #expect(try bench.run(bench.dispatcher(chain: ["gamma"])) == 3)
    }

    @Test func registeredKernelsAreListedWithTheirBackends() throws {
        let bench = Bench()
        try bench.register("beta")
        try bench.register("alpha", dtypes: [.float64])
        #expect(bench.op.implementingBackends == ["beta", "alpha"])
        #expect(bench.op.kernels.map(\.dtypes) == [nil, [.float64]])
        #expect(bench.op.kernel(backend: "alpha", dtype: .float32) == nil)
        #expect(bench.op.kernel(backend: "alpha", dtype: .float64) != nil)
    }

    @Test func aLaterRegistrationForTheSameBackendWins() throws {
        let bench = Bench()
        try bench.registry.register(kernel: Bench.kernel(10), for: "mark", backend: "alpha")
        try bench.registry.register(kernel: Bench.kernel(20), for: "mark", backend: "alpha")
        #expect(try bench.run(bench.dispatcher()) == 20)
    }

    @Test func registeringForAnUnknownOperatorThrows() throws {
        let bench = Bench()
        let error = #expect(throws: TorchError.self) {
            try bench.registry.register(kernel: Bench.kernel(1), for: "no_such_op", backend: "alpha")
        }
        #expect(error?.kind == .unknownOperator)
        #expect(error?.message.contains("'no_such_op'") == true)
    }

    @Test func registeringForAnUnregisteredBackendThrows() throws {
        let bench = Bench()
        let error = #expect(throws: TorchError.self) {
            try bench.registry.register(kernel: Bench.kernel(1), for: "mark", backend: "delta")
        }
        #expect(error?.kind == .unknownBackend)
        #expect(error?.message.contains("'delta'") == true)
    }

    @Test func compositeOperatorsTakeNoKernels() throws {
        let bench = Bench()
        bench.registry.declare(OperatorDefinition("same(Tensor self) -> Tensor", group: .shape, composite: { args in
            [args.tensor("self")]
        }))
        let error = #expect(throws: TorchError.self) {
            try bench.registry.register(kernel: Bench.kernel(1), for: "same", backend: "alpha")
        }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains("composite") == true)
    }

    @Test func theProcessRegistryRejectsKernelsForUnknownOperators() throws {
        let error = #expect(throws: TorchError.self) {
            try Runtime.registry.register(kernel: Bench.kernel(1), for: "no_such_operator", backend: "reference")
        }
        #expect(error?.kind == .unknownOperator)
    }

    @Test func registeringABackendTwiceReplacesItsDescriptorInPlace() {
        let registry = OperatorRegistry()
        registry.register(backend: BackendDescriptor(name: "a"))
        registry.register(backend: BackendDescriptor(name: "b"))
        registry.register(backend: BackendDescriptor(name: "a", availability: .unavailable(reason: "gone")))
        #expect(registry.backends.map(\.name) == ["a", "b"])
        #expect(registry.backendDescriptor(named: "a")?.availability == .unavailable(reason: "gone"))
    }
}

@Suite("Backend selection")
struct BackendSelectionTests {
    @Test func theFirstBackendInTheListWithAKernelRuns() throws {
        let bench = Bench()
        try bench.register("beta")
        try bench.register("gamma")
        #expect(try bench.run(bench.dispatcher()) == 2)
    }

    @Test func aBackendWithoutAKernelFallsThroughToTheNext() throws {
        let bench = Bench()
        try bench.register("gamma")
        let tag = try Dispatcher.withFallbackIsError(false) { try bench.run(bench.dispatcher()) }
        #expect(tag == 3)
    }

    @Test func aScopedPriorityListOverridesTheDefaultChain() throws {
        let bench = Bench()
        try bench.register("alpha")
        try bench.register("gamma")
        let tag = try BackendPriority.withScoped(BackendPriority(names: ["gamma", "alpha"])) {
            try bench.run(bench.dispatcher())
        }
        #expect(tag == 3)
    }

    @Test func theDefaultChainFollowsTheNamedBackends() throws {
        // Asking for `alpha` alone still runs operators that only `beta` has.
        let bench = Bench()
        try bench.register("beta")
        let tag = try BackendPriority.withScoped(BackendPriority(names: ["alpha"])) {
            try Dispatcher.withFallbackIsError(false) { try bench.run(bench.dispatcher()) }
        }
        #expect(tag == 2)
    }

    @Test func aKernelRestrictedToFloat64IsSkippedForFloat32() throws {
        let bench = Bench()
        try bench.register("alpha", dtypes: [.float64])
        try bench.register("beta")
        let dispatcher = bench.dispatcher()
        #expect(try bench.run(dispatcher, dtype: .float32) == 2)
        #expect(try bench.run(dispatcher, dtype: .float64) == 1)
    }

    @Test func dtypeRestrictedKernelsAreChosenByTheComputeDTypeNotByABoolCondition() throws {
        // Like `where(condition, self, other)`: the kernel computes in self's dtype, so a
        // float32-only kernel serves float32 operands whatever the condition's dtype.
        let bench = Bench()
        bench.registry.declare(OperatorDefinition("pick(Tensor condition, Tensor self, Tensor other) -> Tensor",
                                                  group: .elementwise, meta: { args in
            let t = args.tensor("self")
            return [TensorSpec(t.shape, t.dtype)]
        }))
        try bench.registry.register(kernel: Bench.kernel(1), for: "pick", backend: "alpha", dtypes: [.float32])
        try bench.registry.register(kernel: Bench.kernel(2), for: "pick", backend: "beta")
        let condition = try Tensor(zerosOnCPU: [2], dtype: .bool), x = try Tensor(zerosOnCPU: [2], dtype: .float32)
        let pick = try #require(bench.registry.operator(named: "pick"))
        let out = try bench.dispatcher().call(pick, [.tensor(condition), .tensor(x), .tensor(x)])[0]
        #expect(out.doubleValues()[0] == 1)
    }

    @Test func fallbackErrorSettingStopsAtTheFirstBackend() throws {
        let bench = Bench()
        try bench.register("gamma")
        let error = #expect(throws: TorchError.self) { try bench.run(bench.dispatcher(fallbackIsError: true)) }
        #expect(error?.kind == .noKernel)
    }

    @Test func scopedFallbackErrorNamesOperatorDTypeDeviceAndImplementers() throws {
        let bench = Bench()
        try bench.register("beta", dtypes: [.float64])
        try bench.register("gamma")
        let error = #expect(throws: TorchError.self) {
            try Dispatcher.withFallbackIsError(true) { try bench.run(bench.dispatcher()) }
        }
        #expect(error?.kind == .noKernel)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("mark:"))
        #expect(message.contains("float32"))
        #expect(message.contains("cpu"))
        #expect(message.contains("alpha"))
        #expect(message.contains("beta (float64)"))
        #expect(message.contains("gamma"))
        #expect(message.contains("SWIFTTORCH_FALLBACK=error"))
    }

    @Test func scopedFallbackOverridesTheSettingBothWays() throws {
        let bench = Bench()
        try bench.register("gamma")
        let tag = try Dispatcher.withFallbackIsError(false) {
            try bench.run(bench.dispatcher(fallbackIsError: true))
        }
        #expect(tag == 3)
    }

    @Test func noKernelAnywhereIsAnErrorSayingSo() throws {
        let bench = Bench()
        let error = #expect(throws: TorchError.self) {
            try Dispatcher.withFallbackIsError(false) { try bench.run(bench.dispatcher()) }
        }
        #expect(error?.kind == .noKernel)
        #expect(error?.message.contains("no backend") == true)
    }

    @Test func unavailableBackendsAreLeftOutOfTheDefaultChain() throws {
        let bench = Bench()
        bench.registry.register(backend: BackendDescriptor(name: "alpha", availability: .unavailable(reason: "test")))
        try bench.register("alpha")
        try bench.register("beta")
        #expect(bench.dispatcher().defaultCPUChain == ["beta", "gamma"])
        #expect(try bench.run(bench.dispatcher()) == 2)
    }
}

@Suite("Concurrency")
struct RegistryConcurrencyTests {
    @Test func concurrentCallsFromManyTasksGiveCorrectResults() async throws {
        // Each task computes (a + b) * a and a matrix product with its own numbers.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let k = Double(i)
                    let a = try Tensor([k, k + 1, k + 2])
                    let b = try Tensor([1.0, 2.0, 3.0])
                    let r = try (a + b) * a
                    let expected = [(k + 1) * k, (k + 3) * (k + 1), (k + 5) * (k + 2)]
                    let m = try Tensor.full([4, 5], k).matmul(Tensor.ones([5, 3]))
                    let total = try m.sum().item()
                    return try r.toArray(of: Double.self) == expected && total == 60 * k
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test func concurrentCallsFromManyThreadsGiveCorrectResults() throws {
        // Eight OS threads, each summing float64 ranges large enough for parallel kernels:
        // 0 + 1 + ... + (n - 1) = n (n - 1) / 2 is exact in float64 here.
        let failures = Atomic<Int>(0)
        let done = DispatchGroup()
        for t in 0..<8 {
            done.enter()
            Thread {
                defer { done.leave() }
                for i in 0..<5 {
                    let n = 20_000 + 1_000 * t + i
                    do {
                        let sum = try Tensor.arange(n, dtype: .float64).sum().item()
                        if sum != Double(n * (n - 1) / 2) { failures.add(1, ordering: .relaxed) }
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }.start()
        }
        done.wait()
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test func concurrentRegistrationsAndLookupsAreSafe() async throws {
        let bench = Bench()
        let dispatcher = bench.dispatcher(chain: ["alpha"])
        try bench.register("alpha")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask {
                    if i % 2 == 0 {
                        try bench.registry.register(kernel: Bench.kernel(1), for: "mark", backend: "alpha")
                    } else {
                        let tag = try bench.run(dispatcher)
                        #expect(tag == 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(bench.op.kernels.count == 17)
    }
}

/// A backend registered into the process's registry, as a plugin would. Its `add` kernel
/// is correct (float32 only), so that other tests which run every backend are not
/// disturbed; a counter shows that it ran.
private enum ProcessTestBackend {
    static let name = "test-backend-\(UUID().uuidString.lowercased())"
    static let calls = Atomic<Int>(0)

    static let registered: Result<Void, TorchError> = Result {
        Runtime.registry.register(backend: BackendDescriptor(name: name, details: ["registered by RegistryTests"]))
        try Runtime.registry.register(kernel: { call in
            calls.add(1, ordering: .relaxed)
            let a = call.arguments.tensor("self").doubleValues(), b = call.arguments.tensor("other").doubleValues()
            let alpha = call.arguments.double("alpha")
            call.output.setDoubleValues(zip(a, b).map { $0 + alpha * $1 })
        }, for: "add", backend: name, dtypes: [.float32])
    }.mapError { $0 as! TorchError }
}

/// Serialized: it adds a backend to the process's registry (once, through
/// `ProcessTestBackend.registered`).
@Suite("The process's registry", .serialized)
struct ProcessRegistryTests {
    @Test func aNewBackendsKernelRunsWhenChosenWithWithBackend() throws {
        try ProcessTestBackend.registered.get()
        let before = ProcessTestBackend.calls.load(ordering: .relaxed)
        let r = try Runtime.withBackend(ProcessTestBackend.name) {
            try Tensor([1.0, 2.0]).add(Tensor([10.0, 20.0]), alpha: 2)
        }
        #expect(try r.toArray(of: Double.self) == [21, 42])
        #expect(ProcessTestBackend.calls.load(ordering: .relaxed) > before)
    }

    @Test func operatorsTheNewBackendLacksFallThroughToTheBuiltInOnes() throws {
        try ProcessTestBackend.registered.get()
        let r = try Dispatcher.withFallbackIsError(false) {
            try Runtime.withBackend(ProcessTestBackend.name) { try Tensor([2.0, 3.0]) * Tensor([4.0, 5.0]) }
        }
        #expect(try r.toArray(of: Double.self) == [8, 15])
    }

    @Test func withFallbackErrorAnOperatorTheNewBackendLacksThrows() throws {
        try ProcessTestBackend.registered.get()
        let error = #expect(throws: TorchError.self) {
            try Dispatcher.withFallbackIsError(true) {
                try Runtime.withBackend(ProcessTestBackend.name) { try Tensor([2.0]) * Tensor([4.0]) }
            }
        }
        #expect(error?.kind == .noKernel)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("mul:"))
        #expect(message.contains("float32"))
        #expect(message.contains("cpu"))
        #expect(message.contains(ProcessTestBackend.name))
        #expect(message.contains("reference"))
    }

    @Test func withBackendRejectsAnUnknownName() throws {
        let error = #expect(throws: TorchError.self) { try Runtime.withBackend("no-such-backend") { 0 } }
        #expect(error?.kind == .unknownBackend)
        #expect(error?.message.contains("'no-such-backend'") == true)
        #expect(error?.message.contains("reference") == true)
    }

    @Test func theReferenceBackendIsAlwaysRegisteredAndAvailable() {
        let reference = Runtime.registry.backendDescriptor(named: "reference")
        #expect(reference?.availability == .available)
        #expect(reference?.deviceKind == .cpu)
    }
}
