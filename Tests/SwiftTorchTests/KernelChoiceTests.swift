import SwiftTorch
import Testing

// The dispatcher's kernel choice is cached per operator, keyed by the compute dtype, the
// device, the backend list in force and the fallback rule, and read without a lock. These
// check that the cache never answers for the wrong key or outlives a registration, and that
// a backend can hand an operator it is slower at to the next one of the default chain.

/// A private registry with `mark(Tensor self) -> Tensor`; each backend's kernel writes its tag.
private struct Marks {
    static let tags = ["alpha": 1.0, "beta": 2.0, "gamma": 3.0]
    let registry = OperatorRegistry()
    let op: OperatorHandle

    init(alphaDefers: Bool = false) {
        op = registry.declare(OperatorDefinition("mark(Tensor self) -> Tensor", group: .elementwise, meta: { args in
            let t = args.tensor("self")
            return [TensorSpec(t.shape, t.dtype)]
        }))
        registry.register(backend: BackendDescriptor(name: "alpha", defersInDefaultChain: alphaDefers ? ["mark"] : []))
        registry.register(backend: BackendDescriptor(name: "beta"))
        registry.register(backend: BackendDescriptor(name: "gamma"))
    }

    func register(_ backend: String, dtypes: Set<DType>? = nil) throws {
        let tag = Marks.tags[backend]!
        try registry.register(kernel: { call in call.output.setDoubleValues([Double](repeating: tag, count: call.output.count)) },
                              for: "mark", backend: backend, dtypes: dtypes)
    }

    var dispatcher: Dispatcher {
        Dispatcher(registry: registry, settings: DispatchSettings(), knownBackendNames: [],
                   preferredCPUOrder: ["alpha", "beta", "gamma"])
    }

    func run(_ dispatcher: Dispatcher, dtype: DType = .float32) throws -> Double {
        try dispatcher.call(op, [.tensor(Tensor(zerosOnCPU: [2], dtype: dtype))])[0].doubleValues()[0]
    }
}

@Suite("Kernel choice")
struct KernelChoiceTests {
    @Test func aBackendThatDefersAnOperatorLetsTheDefaultChainTakeItFromTheNext() throws {
        let marks = Marks(alphaDefers: true)
        try marks.register("alpha")
        try marks.register("beta")
        let dispatcher = marks.dispatcher
        #expect(try BackendPriority.withScoped(nil) { try marks.run(dispatcher) } == 2)
        // Named by the user, the deferring backend runs its own kernel.
        let named = try BackendPriority.withScoped(BackendPriority(names: ["alpha"])) { try marks.run(dispatcher) }
        #expect(named == 1)
    }

    @Test func aDeferringBackendStillRunsWhatNoOtherBackendHas() throws {
        let marks = Marks(alphaDefers: true)
        try marks.register("alpha")
        #expect(try BackendPriority.withScoped(nil) { try marks.run(marks.dispatcher) } == 1)
    }

    @Test func choicesAreKeptApartByBackendListAndDType() throws {
        let marks = Marks()
        try marks.register("beta")
        try marks.register("gamma")
        try marks.register("alpha", dtypes: [.float64])
        let dispatcher = marks.dispatcher
        for _ in 0..<2 {  // the second round reads every answer from the cache
            #expect(try BackendPriority.withScoped(nil) { try marks.run(dispatcher) } == 2)
            #expect(try BackendPriority.withScoped(nil) { try marks.run(dispatcher, dtype: .float64) } == 1)
            let gammaFirst = try BackendPriority.withScoped(BackendPriority(names: ["gamma", "beta"])) {
                try marks.run(dispatcher)
            }
            #expect(gammaFirst == 3)
        }
    }

    @Test func aRegistrationMakesEveryCachedChoiceStale() throws {
        let marks = Marks()
        try marks.register("beta")
        let dispatcher = marks.dispatcher
        #expect(try BackendPriority.withScoped(nil) { try marks.run(dispatcher) } == 2)
        try marks.register("alpha")
        #expect(try BackendPriority.withScoped(nil) { try marks.run(dispatcher) } == 1)
    }

    @Test func theSameBackendListGetsTheSameIDAndAnotherADifferentOne() {
        #expect(BackendPriority(names: ["x", "y"]).id == BackendPriority(names: ["x", "y"]).id)
        #expect(BackendPriority(names: ["x", "y"]).id != BackendPriority(names: ["y", "x"]).id)
        #expect(BackendPriority(names: ["x"], isDefaultChain: true).id != BackendPriority(names: ["x"]).id)
    }

    @Test func concurrentFirstCallsAllGetTheRightKernel() async throws {
        let marks = Marks()
        try marks.register("beta")
        try marks.register("alpha", dtypes: [.float64])
        let dispatcher = marks.dispatcher
        let results = try await withThrowingTaskGroup(of: (DType, Double).self) { group in
            for i in 0..<64 {
                let dtype: DType = i % 2 == 0 ? .float32 : .float64
                group.addTask { (dtype, try BackendPriority.withScoped(nil) { try marks.run(dispatcher, dtype: dtype) }) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64)
        for (dtype, tag) in results { #expect(tag == (dtype == .float64 ? 1 : 2)) }
    }
}
